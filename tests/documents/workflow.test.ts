import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { sign, decline } from "@/lib/documents/signing";
import { storeFile } from "@/lib/files/store";
import { undoEffect } from "@/lib/integrations/execute";
import { EmbeddedWorker } from "@/lib/workflow/hosts/embedded";
import { startRun } from "@/lib/workflow/runs";
import { requestUndo } from "@/lib/workflow/undo";
import { createWorkflow, publishWorkflow } from "@/lib/workflow/store";
import { definition, edge, node } from "@/lib/workflow/test-fixtures";
import { startFakeResend, type FakeResend } from "@/fakes/resend/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { setProviderTestEnv } from "../integrations/support";
import { setTestEnv } from "../support/env";
import { TestClock } from "../support/clock";
import { seedCompany } from "../support/seed";
import { linksFor, samplePdf } from "./support";

// The Doc Manager's actions in real runs: upload from an earlier step's file, request signature,
// wait durably for the outcome (its branch), update status and archive; every effect in the
// RunEffect ledger, and undone through undoEffect like any provider's.

let database: TestDatabase;
let fake: FakeResend;
let owner: Caller;
let worker: EmbeddedWorker;
const clock = new TestClock();
const client = { ip: "198.51.100.4", userAgent: "vitest" };

beforeAll(async () => {
  fake = await startFakeResend();
  setProviderTestEnv({ RESEND_BASE_URL: fake.apiUrl, RESEND_API_KEY: fake.fullAccessKey, EMAIL_FROM: "Flowline <sign@flowline.test>" });
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner } = await seedCompany(database.prisma, "Flowdocs"));
  worker = new EmbeddedWorker(database.prisma, { catalog, pollMs: 25, clock });
  await worker.start();
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await closeDatabase();
  await fake.close();
});

const signAndWait = definition(
  [
    node("upload", "docmanager.upload_document", { fileId: "{{trigger.payload.fileId}}", folder: "Contracts", tags: ["supplier"] }),
    node("request", "docmanager.request_signature", {
      documentId: "{{step.upload.output.documentId}}",
      signers: [{ name: "Ada Lovelace", email: "{{trigger.payload.email}}" }],
    }),
    node("wait", "docmanager.wait_for_signature", { requestId: "{{step.request.output.requestId}}", timeoutMs: 3_600_000 }),
    node("signed"),
    node("declined"),
    node("late"),
  ],
  ["trigger→upload", "upload→request", "request→wait", edge("wait:completed→signed"), edge("wait:declined→declined"), edge("wait:timeout→late")],
);

async function start(def: ReturnType<typeof definition>, payload: Record<string, unknown>, options: { dryRun?: boolean } = {}) {
  const workflow = await createWorkflow(database.prisma, catalog, owner, { name: `docs ${Date.now()}`, definition: def });
  await publishWorkflow(database.prisma, catalog, owner, workflow.id);
  const { run } = await startRun(database.prisma, catalog, owner, workflow.id, { payload, ...options });
  return run.id;
}

async function until(runId: string, statuses: string[]) {
  for (let i = 0; i < 1000; i++) {
    const run = await database.prisma.workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { steps: true, effects: true } });
    if (statuses.includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${runId} did not reach ${statuses.join("/")}`);
}

const attachment = async () =>
  (await storeFile(database.prisma, owner.companyId, { filename: "contract.pdf", contentType: "application/pdf", bytes: await samplePdf() })).id;

describe("Doc Manager steps in a run", () => {
  it("uploads, requests a signature, waits durably and takes the completed branch when signed", async () => {
    const email = "ada@docs-run.test";
    const runId = await start(signAndWait, { fileId: await attachment(), email });
    const waiting = await until(runId, ["waiting", "failed"]);
    expect(waiting.status).toBe("waiting");
    expect(await database.prisma.waitpoint.count({ where: { runId, kind: "signature", completedAt: null } })).toBe(1);

    await sign(database.prisma, { token: linksFor(fake, email).at(-1)!, consent: true, signature: { kind: "typed", text: "Ada Lovelace" } }, client);
    const run = await until(runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    const byNode = (id: string) => run.steps.find((s) => s.nodeId === id);
    expect(byNode("signed")?.status).toBe("succeeded");
    expect(byNode("declined")?.status).toBe("skipped");
    expect(byNode("wait")?.output).toMatchObject({ outcome: "completed" });
    expect((byNode("wait")?.output as { signedFileId: string | null }).signedFileId).toBeTruthy();

    // effects on the books, connection-free, with their undo strategies
    const effects = Object.fromEntries(run.effects.map((e) => [e.action, e]));
    expect(effects["docmanager.upload_document"]).toMatchObject({
      status: "completed",
      appId: "docmanager",
      undoStrategy: "api_delete",
      canUndo: true,
      credentialId: null,
    });
    expect(effects["docmanager.request_signature"]).toMatchObject({ status: "completed", undoStrategy: "api_update", canUndo: true });
    const documentId = effects["docmanager.upload_document"]!.externalRef!;
    expect((await database.prisma.document.findUniqueOrThrow({ where: { id: documentId } })).createdByRunId).toBe(runId);
  });

  it("a dry run previews every step, takes the completed branch, and files, sends and records nothing", async () => {
    const documents = await database.prisma.document.count({ where: { companyId: owner.companyId } });
    const mails = fake.outbox.length;
    const run = await until(await start(signAndWait, { fileId: await attachment(), email: "dry@docs-run.test" }, { dryRun: true }), ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect(run.steps.find((s) => s.nodeId === "signed")?.status).toBe("succeeded");
    expect(run.effects).toHaveLength(0);
    expect(await database.prisma.document.count({ where: { companyId: owner.companyId } })).toBe(documents);
    expect(fake.outbox.length).toBe(mails);
  });

  it("takes the declined branch on a decline", async () => {
    const email = "bob@docs-run.test";
    const runId = await start(signAndWait, { fileId: await attachment(), email });
    await until(runId, ["waiting"]);
    await decline(database.prisma, { token: linksFor(fake, email).at(-1)!, reason: "Not this year" }, client);
    const run = await until(runId, ["succeeded", "failed"]);
    expect(run.steps.find((s) => s.nodeId === "declined")?.status).toBe("succeeded");
    expect(run.steps.find((s) => s.nodeId === "wait")?.output).toMatchObject({ outcome: "declined" });
  });

  it("takes the timeout branch when nobody signs in time (on the worker's clock)", async () => {
    const runId = await start(signAndWait, { fileId: await attachment(), email: "cy@docs-run.test" });
    await until(runId, ["waiting"]);
    clock.advance(3_600_000 + 1000);
    const run = await until(runId, ["succeeded", "failed"]);
    expect(run.steps.find((s) => s.nodeId === "late")?.status).toBe("succeeded");
  });

  it("undoes each effect through undoEffect: cancel the request, delete the upload", async () => {
    const email = "dee@docs-run.test";
    const runId = await start(signAndWait, { fileId: await attachment(), email });
    const run = await until(runId, ["waiting"]);
    const effects = await database.prisma.runEffect.findMany({ where: { runId }, orderBy: { createdAt: "desc" } });
    for (const effect of effects) {
      const undo = () =>
        undoEffect(database.prisma, {
          ...catalog.action(effect.action)!,
          companyId: owner.companyId,
          userId: null,
          connectionId: effect.credentialId,
          externalRef: effect.externalRef!,
        });
      await undo();
      // undo twice: something already undone counts as undone
      await undo();
    }
    const request = effects.find((e) => e.action === "docmanager.request_signature")!;
    expect(await database.prisma.signatureRequest.findUnique({ where: { id: request.externalRef! } })).toBeNull(); // gone with its document
    const upload = effects.find((e) => e.action === "docmanager.upload_document")!;
    expect(await database.prisma.document.findUnique({ where: { id: upload.externalRef! } })).toBeNull();
    // the signer's link no longer works, and the waiting step took the cancelled branch
    await expect(
      sign(database.prisma, { token: linksFor(fake, email).at(-1)!, consent: true, signature: { kind: "typed", text: "Dee" } }, client),
    ).rejects.toThrow(/not valid/);
    expect(run.id).toBe(runId);
  });

  it("a run's undo (the worker, newest first) restores the status and deletes the upload, with no connection", async () => {
    const def = definition(
      [
        node("upload", "docmanager.upload_document", { fileId: "{{trigger.payload.fileId}}" }),
        node("archive", "docmanager.archive_document", { documentId: "{{step.upload.output.documentId}}" }),
      ],
      ["trigger→upload", "upload→archive"],
    );
    const runId = await start(def, { fileId: await attachment() });
    const run = await until(runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    const documentId = (run.steps.find((s) => s.nodeId === "upload")!.output as { documentId: string }).documentId;
    const preview = await requestUndo(database.prisma, catalog, owner, runId);
    expect(preview.queued).toBe(true);
    await expect
      .poll(async () => (await database.prisma.runEffect.findMany({ where: { runId } })).map((e) => e.status), { timeout: 20_000, interval: 50 })
      .toEqual(["undone", "undone"]);
    expect(await database.prisma.document.findUnique({ where: { id: documentId } })).toBeNull();
  });

  it("update status and archive are undone back to the status before", async () => {
    const def = definition(
      [
        node("upload", "docmanager.upload_document", { fileId: "{{trigger.payload.fileId}}" }),
        node("done", "docmanager.update_status", { documentId: "{{step.upload.output.documentId}}", status: "completed" }),
        node("archive", "docmanager.archive_document", { documentId: "{{step.upload.output.documentId}}" }),
      ],
      ["trigger→upload", "upload→done", "done→archive"],
    );
    const runId = await start(def, { fileId: await attachment() });
    const run = await until(runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    const documentId = (run.steps.find((s) => s.nodeId === "upload")!.output as { documentId: string }).documentId;
    const status = async () => (await database.prisma.document.findUniqueOrThrow({ where: { id: documentId } })).status;
    expect(await status()).toBe("archived");
    const effect = (action: string) => run.effects.find((e) => e.action === action)!;
    const undo = (action: string) =>
      undoEffect(database.prisma, {
        ...catalog.action(action)!,
        companyId: owner.companyId,
        userId: null,
        connectionId: null,
        externalRef: effect(action).externalRef!,
      });
    await undo("docmanager.archive_document");
    expect(await status()).toBe("completed");
    await undo("docmanager.update_status");
    expect(await status()).toBe("draft");
  });

  it("uploads from a URL through the guarded fetch, which refuses hosts it is not allowed to reach", async () => {
    const pdf = Buffer.from(await samplePdf("From a URL"));
    const server = http.createServer((_request, response) => response.writeHead(200, { "content-type": "application/pdf" }).end(pdf));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      setTestEnv({ FLOWLINE_OUTBOUND_ALLOW: `127.0.0.1:${port}` });
      const fromUrl = (url: string) => definition([node("upload", "docmanager.upload_document", { url, folder: "Web" })], ["trigger→upload"]);
      const run = await until(await start(fromUrl(`http://127.0.0.1:${port}/files/offer.pdf`), {}), ["succeeded", "failed"]);
      expect(run.status).toBe("succeeded");
      expect(run.steps[0]!.output).toMatchObject({ name: "offer.pdf", mimeType: "application/pdf", folder: "Web", sizeBytes: pdf.length });
      setTestEnv({ FLOWLINE_OUTBOUND_ALLOW: undefined });
      const refused = await until(await start(fromUrl(`http://127.0.0.1:${port}/files/offer.pdf`), {}), ["succeeded", "failed"]);
      expect(refused.status).toBe("failed");
      expect(refused.errorCode).toBe("E_VALIDATION");
      expect(refused.errorMessage).toMatch(/loopback/);
    } finally {
      setTestEnv({ FLOWLINE_OUTBOUND_ALLOW: undefined });
      server.close();
    }
  });

  it("a document id of another company is not found, and nothing changes there", async () => {
    const other = await seedCompany(database.prisma, "Elsewhere");
    const foreign = await database.prisma.document.findFirstOrThrow({ where: { companyId: other.owner.companyId } });
    const def = definition([node("archive", "docmanager.archive_document", { documentId: foreign.id })], ["trigger→archive"]);
    const run = await until(await start(def, {}), ["succeeded", "failed"]);
    expect(run.status).toBe("failed");
    expect(run.errorCode).toBe("E_NOT_FOUND");
    expect((await database.prisma.document.findUniqueOrThrow({ where: { id: foreign.id } })).status).toBe(foreign.status);
  });
});
