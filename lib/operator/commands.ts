import { catalog } from "@/lib/catalog";
import { z } from "zod";
import type { Database, Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createApiKey } from "@/lib/auth/api-keys";
import { hashPassword } from "@/lib/auth/password";
import { createCompanyFor, signUp } from "@/lib/companies/accounts";
import { companyNameSchema, emailSchema, passwordSchema } from "@/lib/companies/schemas";
import { rotateKeys } from "@/lib/credentials/rotate";
import { checkHealth } from "@/lib/health";
import { getRun, startRun, type RunDetail, type RunSummary } from "@/lib/workflow/runs";
import { createWorkflow, getWorkflow } from "@/lib/workflow/store";

// Operator commands, run by the CLI either on a database it opened itself or, when the app holds
// the embedded database, inside the app through /api/operator. Same code either way.

export const setupSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  company: companyNameSchema,
  name: z.string().trim().min(1).max(100).optional(),
});

/** Creates the owner and the company; running it again changes nothing. */
export async function setup(db: Db, raw: unknown): Promise<{ created: { user: boolean; company: boolean }; companyId: string; userId: string }> {
  const input = setupSchema.parse(raw);
  const user = await db.user.findUnique({ where: { email: input.email }, select: { id: true, passwordHash: true } });
  if (!user) {
    const { userId, companyId } = await signUp(db, { ...input, name: input.name ?? input.email.split("@")[0] });
    return { created: { user: true, company: true }, companyId, userId };
  }
  if (!user.passwordHash) await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(input.password) } });
  const owned = await db.membership.findFirst({ where: { userId: user.id, role: "owner", company: { name: input.company } }, select: { companyId: true } });
  if (owned) return { created: { user: false, company: false }, companyId: owned.companyId, userId: user.id };
  const { companyId } = await createCompanyFor(db, user.id, input.company);
  return { created: { user: false, company: true }, companyId, userId: user.id };
}

async function findCompany(db: Db, nameOrSlug: string) {
  const matches = await db.company.findMany({ where: { OR: [{ slug: nameOrSlug }, { name: nameOrSlug }] }, select: { id: true, slug: true, name: true } });
  const bySlug = matches.find((c) => c.slug === nameOrSlug);
  if (bySlug) return bySlug;
  if (matches.length === 0)
    throw new AppError("not_found", `No company is named "${nameOrSlug}"`, { remediation: "Check the name, or create it with `flowline setup`." });
  if (matches.length > 1)
    throw new AppError("conflict", `Several companies are named "${nameOrSlug}": ${matches.map((c) => c.slug).join(", ")}`, {
      remediation: "Pass the slug instead of the name.",
    });
  return matches[0]!;
}

export const apiKeyCreateSchema = z.object({ company: z.string().min(1), name: z.string().min(1) });

export async function apiKeyCreate(db: Db, raw: unknown): Promise<{ key: string; id: string }> {
  const input = apiKeyCreateSchema.parse(raw);
  const company = await findCompany(db, input.company);
  const { key, apiKey } = await createApiKey(db, operatorCaller(company.id), { name: input.name });
  return { key, id: apiKey.id };
}

const operatorCaller = (companyId: string) => ({ companyId, role: "owner" as const, userId: null, apiKeyId: null });

// The file format of `workflow export`, also accepted by import; a bare definition imports too.
export const workflowFileSchema = z.object({ name: z.string(), description: z.string().nullable().optional(), definition: z.unknown() });
export const workflowImportSchema = z.object({ company: z.string().min(1), file: z.unknown(), name: z.string().optional() });

export async function workflowImport(db: Db, raw: unknown): Promise<{ id: string; name: string; warnings: number }> {
  const input = workflowImportSchema.parse(raw);
  const company = await findCompany(db, input.company);
  const parsedFile = workflowFileSchema.safeParse(input.file);
  const file = parsedFile.success ? parsedFile.data : { name: input.name ?? "Imported workflow", description: null, definition: input.file };
  const created = await createWorkflow(db, catalog, operatorCaller(company.id), {
    name: input.name ?? file.name,
    ...(file.description ? { description: file.description } : {}),
    definition: file.definition,
  });
  return { id: created.id, name: created.name, warnings: created.problems.length };
}

export async function workflowExport(db: Db, raw: unknown): Promise<z.infer<typeof workflowFileSchema>> {
  const { id } = z.object({ id: z.string().min(1) }).parse(raw);
  // Operators see every company; the id alone names the workflow.
  const row = await db.workflow.findFirst({ where: { id, deletedAt: null }, select: { companyId: true } });
  if (!row) throw new AppError("not_found", `No workflow has the id ${id}`);
  const workflow = await getWorkflow(db, catalog, operatorCaller(row.companyId), id);
  return { name: workflow.name, description: workflow.description, definition: workflow.draft };
}

async function workflowCompany(db: Db, id: string): Promise<string> {
  const row = await db.workflow.findFirst({ where: { id, deletedAt: null }, select: { companyId: true } });
  if (!row) throw new AppError("not_found", `No workflow has the id ${id}`);
  return row.companyId;
}

export const runStartSchema = z.object({ workflowId: z.string().min(1), payload: z.unknown().optional(), draft: z.boolean().optional() });

export async function runStart(db: Db, raw: unknown): Promise<RunSummary> {
  const input = runStartSchema.parse(raw);
  const caller = operatorCaller(await workflowCompany(db, input.workflowId));
  const { run } = await startRun(
    db,
    catalog,
    caller,
    input.workflowId,
    { payload: input.payload, version: input.draft ? "draft" : "published" },
    { type: "manual", source: "cli" },
  );
  return run;
}

export async function runGet(db: Db, raw: unknown): Promise<RunDetail> {
  const { id } = z.object({ id: z.string().min(1) }).parse(raw);
  const row = await db.workflowRun.findUnique({ where: { id }, select: { companyId: true } });
  if (!row) throw new AppError("not_found", `No run has the id ${id}`);
  return getRun(db, operatorCaller(row.companyId), id);
}

export type DoctorCheck = { name: string; ok: boolean; detail: string };

export async function doctor(database: Database): Promise<DoctorCheck[]> {
  const health = await checkHealth(async () => database);
  const checks: DoctorCheck[] = [
    { name: "config", ok: true, detail: "environment variables valid" },
    {
      name: "database",
      ok: health.database.reachable,
      detail: health.database.reachable ? `${database.kind}, ${health.database.latencyMs} ms` : (health.database.error ?? "unreachable"),
    },
    {
      name: "migrations",
      ok: health.migrations.current,
      detail: health.migrations.current ? "current" : `pending: ${health.migrations.pending.join(", ")} (run npm run db:migrate)`,
    },
    {
      name: "worker",
      ok: health.worker.status !== "stale",
      detail:
        health.worker.host === "trigger.dev"
          ? "runs execute on Trigger.dev (TRIGGER_SECRET_KEY is set)"
          : health.worker.status === "alive"
            ? `${health.worker.workers} alive`
            : health.worker.status === "stale"
              ? `no heartbeat since ${health.worker.lastSeenAt}`
              : "no worker has run yet",
    },
  ];
  return checks;
}

export const operatorCommands = {
  setup: (database: Database, args: unknown) => setup(database.prisma, args),
  "apikey create": (database: Database, args: unknown) => apiKeyCreate(database.prisma, args),
  doctor: (database: Database) => doctor(database),
  migrate: async (database: Database) => ({ applied: await database.migrate() }),
  "workflow import": (database: Database, args: unknown) => workflowImport(database.prisma, args),
  "workflow export": (database: Database, args: unknown) => workflowExport(database.prisma, args),
  "run start": (database: Database, args: unknown) => runStart(database.prisma, args),
  "run get": (database: Database, args: unknown) => runGet(database.prisma, args),
  "keys rotate": (database: Database) => rotateKeys(database.prisma),
} satisfies Record<string, (database: Database, args: unknown) => Promise<unknown>>;

export type OperatorCommand = keyof typeof operatorCommands;
export const operatorCommandSchema = z.object({
  command: z.enum(Object.keys(operatorCommands) as [OperatorCommand, ...OperatorCommand[]]),
  args: z.unknown().optional(),
});
