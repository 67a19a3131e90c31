import { createHash, randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import { createApiKey } from "@/lib/auth/api-keys";
import type { Caller } from "@/lib/auth/roles";
import { createInvite } from "@/lib/companies/invites";
import { storeFile } from "@/lib/files/store";

const emptyDefinition = { trigger: { type: "manual", config: {} }, nodes: [], edges: [] };

/**
 * "a long enough password" hashed with scrypt at N=16 instead of the app's 2^15: the parameters
 * are stored with each hash, so sign-in verifies it the same way, at a fraction of the CPU.
 * Sign-up's own hashing is tested in tests/auth.
 */
const seedPasswordHash = "scrypt$16$8$1$Zmxvd2xpbmUtdGVzdC1zYWx0$qEITIB11OaewBRCBaYIDv2QBkczGyqBK7DAibgAVNeI=";

async function seedOwner(db: Db, name: string, email: string, company: string) {
  const user = await db.user.create({ data: { email, name, passwordHash: seedPasswordHash } });
  const created = await db.company.create({ data: { name: company, slug: company.toLowerCase().replace(/[^a-z0-9]+/g, "-") } });
  await db.membership.create({ data: { companyId: created.id, userId: user.id, role: "owner" } });
  return { userId: user.id, companyId: created.id };
}

/**
 * A company with one row in every company-owned table, so isolation tests can aim at all of them.
 * Returns the owner's caller, an API key, and every id (and name) that must never leak.
 */
export async function seedCompany(db: Db, label: string) {
  const suffix = randomBytes(3).toString("hex");
  const { userId, companyId } = await seedOwner(db, `${label} Owner`, `owner-${suffix}@${label.toLowerCase()}.test`, `${label} Company ${suffix}`);
  const owner: Caller = { companyId, userId, role: "owner", apiKeyId: null };
  const member = await seedOwner(db, `${label} Member`, `member-${suffix}@${label.toLowerCase()}.test`, `${label} Side ${suffix}`);
  const membership = await db.membership.create({ data: { companyId, userId: member.userId, role: "member" } });
  const { key, apiKey } = await createApiKey(db, owner, { name: `${label} key` });
  await createInvite(db, owner, { role: "member" }, "http://app.test");
  const invite = await db.invitation.findFirstOrThrow({ where: { companyId } });
  const workflow = await db.workflow.create({ data: { companyId, name: `${label} workflow`, draft: emptyDefinition } });
  const version = await db.workflowVersion.create({ data: { workflowId: workflow.id, number: 1, definition: emptyDefinition } });
  const run = await db.workflowRun.create({ data: { companyId, workflowId: workflow.id, versionId: version.id, triggerType: "manual", triggerPayload: {} } });
  const step = await db.workflowRunStep.create({ data: { runId: run.id, nodeId: "a", status: "succeeded" } });
  const waitpoint = await db.waitpoint.create({
    data: { runId: run.id, nodeId: "a", kind: "approval", tokenHash: createHash("sha256").update(suffix).digest("hex") },
  });
  await db.app.upsert({ where: { id: "slack" }, create: { id: "slack", name: "Slack" }, update: {} });
  const credential = await db.credential.create({
    data: { companyId, appId: "slack", type: "apikey", keyId: "k1", ciphertext: "sealed", displayName: `${label} Slack` },
  });
  const file = await storeFile(db, companyId, { filename: `${label}.pdf`, contentType: "application/pdf", bytes: new TextEncoder().encode("%PDF-1.4 seed") });
  const document = await db.document.create({
    data: {
      companyId,
      name: `${label}.pdf`,
      mimeType: "application/pdf",
      sizeBytes: file.size,
      fileId: file.id,
      sha256: file.sha256,
      folder: `${label} folder`,
    },
  });
  const signature = await db.signatureRequest.create({
    data: { companyId, documentId: document.id, expiresAt: new Date(Date.now() + 86_400_000) },
  });
  const signer = await db.signer.create({
    data: {
      companyId,
      requestId: signature.id,
      position: 0,
      name: `${label} Signer`,
      email: `signer@${label.toLowerCase()}.test`,
      status: "pending",
      tokenHash: `sig-${suffix}`,
    },
  });
  const ids = {
    companyId,
    userId,
    memberUserId: member.userId,
    membershipId: membership.id,
    apiKeyId: apiKey.id,
    inviteId: invite.id,
    workflowId: workflow.id,
    versionId: version.id,
    runId: run.id,
    stepId: step.id,
    waitpointId: waitpoint.id,
    credentialId: credential.id,
    documentId: document.id,
    signatureRequestId: signature.id,
    signerId: signer.id,
    fileId: file.id,
  };
  return { owner, key, ids };
}

/** Everything stored for a company, to prove that nothing about it changed. */
export async function snapshotCompany(db: Db, companyId: string) {
  const byCompany = { where: { companyId } };
  return JSON.stringify({
    company: await db.company.findUnique({ where: { id: companyId } }),
    memberships: await db.membership.findMany({ ...byCompany, orderBy: { id: "asc" } }),
    invitations: await db.invitation.findMany({ ...byCompany, orderBy: { id: "asc" } }),
    apiKeys: await db.apiKey.findMany({ ...byCompany, orderBy: { id: "asc" }, select: { id: true, name: true, revokedAt: true, keyHash: true } }),
    workflows: await db.workflow.findMany({ ...byCompany, include: { versions: true }, orderBy: { id: "asc" } }),
    runs: await db.workflowRun.findMany({ ...byCompany, include: { steps: true, waitpoints: true, effects: true, undos: true }, orderBy: { id: "asc" } }),
    credentials: await db.credential.findMany({ ...byCompany, orderBy: { id: "asc" } }),
    documents: await db.document.findMany({
      ...byCompany,
      include: { signatureRequests: { include: { signers: true } }, events: true },
      orderBy: { id: "asc" },
    }),
    files: await db.storedFile.findMany({ ...byCompany, include: { chunks: true }, orderBy: { id: "asc" } }),
  });
}
