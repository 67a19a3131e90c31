import { randomBytes } from "node:crypto";
import { PDFDocument } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@/lib/auth/roles";
import { catalog } from "@/lib/catalog";
import { closeDatabase, setDatabase } from "@/lib/db";
import { actorFor, createDocument, type DocActor } from "@/lib/documents/documents";
import { decline, openSigningLink, requestSignature, sign, signingDocument, cancelRequest } from "@/lib/documents/signing";
import { DocumentSweeper } from "@/lib/documents/sweeper";
import { hashSigningToken, signingToken } from "@/lib/documents/tokens";
import { documentLimits } from "@/lib/documents/schemas";
import { AppError } from "@/lib/errors";
import { readFile } from "@/lib/files/store";
import { EventDispatcher } from "@/lib/triggers/events";
import { createWorkflow, publishWorkflow, setWorkflowEnabled } from "@/lib/workflow/store";
import { definition, node } from "@/lib/workflow/test-fixtures";
import { startFakeResend, type FakeResend } from "@/fakes/resend/server";
import { openTestDatabase, type TestDatabase } from "../support/database";
import { setProviderTestEnv } from "../integrations/support";
import { seedCompany } from "../support/seed";
import { linksFor, samplePdf, tinyPng, uploadThroughApi } from "./support";

// Documents and signing end to end below the browser: uploads through the real route (checked by
// content), signature requests with emails through the real Resend SDK to fakes/resend, the
// signing links' refusals, concurrency, the completed PDF, and the document.* events once each.

let database: TestDatabase;
let fake: FakeResend;
let owner: Caller;
let key: string;
let actor: DocActor;
const client = { ip: "203.0.113.7", userAgent: "vitest" };

beforeAll(async () => {
  fake = await startFakeResend();
  setProviderTestEnv({ RESEND_BASE_URL: fake.apiUrl, RESEND_API_KEY: fake.fullAccessKey, EMAIL_FROM: "Flowline <sign@flowline.test>" });
  database = await openTestDatabase();
  setDatabase(database);
  ({ owner, key } = await seedCompany(database.prisma, "Signco"));
  actor = await actorFor(database.prisma, owner);
}, 60_000);
afterAll(async () => {
  await closeDatabase();
  await fake.close();
});

const unique = () => `${randomBytes(3).toString("hex")}@signers.test`;
const counts = async () => ({
  files: await database.prisma.storedFile.count({ where: { companyId: owner.companyId } }),
  chunks: await database.prisma.fileChunk.count({ where: { file: { companyId: owner.companyId } } }),
  documents: await database.prisma.document.count({ where: { companyId: owner.companyId } }),
});

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function newRequest(signers: { name: string; email: string }[], options: { order?: "parallel" | "sequential"; folder?: string; tags?: string[] } = {}) {
  const document = await createDocument(database.prisma, actor, {
    filename: "contract.pdf",
    bytes: await samplePdf(),
    folder: options.folder,
    tags: options.tags,
  });
  const request = await requestSignature(database.prisma, actor, document.id, { signers, order: options.order ?? "parallel" });
  return { document, request, links: signers.map((s) => linksFor(fake, s.email).at(-1)!) };
}

const typed = (token: string, text = "Ada Lovelace") => ({ token, consent: true, signature: { kind: "typed", text } });

describe("uploads", () => {
  it("stores a PDF in chunks and reads it back whole, company-scoped", async () => {
    const bytes = new Uint8Array(600 * 1024).fill(32);
    const pdf = await samplePdf();
    bytes.set(pdf.slice(0, 8)); // a PDF header in front of a large body
    bytes.set(pdf, bytes.length - pdf.length);
    const response = await uploadThroughApi(key, { name: "big.pdf", bytes }, { folder: "Contracts", tags: "supplier, 2026" });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; status: string; folder: string; tags: string[]; mimeType: string };
    expect(created).toMatchObject({ status: "draft", folder: "Contracts", tags: ["supplier", "2026"], mimeType: "application/pdf" });
    const row = await database.prisma.document.findUniqueOrThrow({ where: { id: created.id } });
    expect(await database.prisma.fileChunk.count({ where: { fileId: row.fileId } })).toBe(3);
    const file = await readFile(database.prisma, owner.companyId, row.fileId);
    expect(Buffer.from(file.bytes).equals(Buffer.from(bytes))).toBe(true);
    const other = await seedCompany(database.prisma, "Otherco");
    await expect(readFile(database.prisma, other.owner.companyId, row.fileId)).rejects.toThrow(/not found/);
  });

  it.each([
    [
      "not a PDF though named .pdf",
      { name: "invoice.pdf", bytes: new TextEncoder().encode("<html><script>alert(1)</script></html>") },
      422,
      /not a PDF or an image though its name ends in \.pdf/,
    ],
    ["empty", { name: "empty.pdf", bytes: new Uint8Array(0) }, 422, /empty/],
    ["over the cap", { name: "huge.pdf", bytes: new Uint8Array(documentLimits.maxBytes + 300 * 1024) }, 413, /larger than the 10 MB limit/],
    ["a name with a path separator", { name: "../../etc/passwd.pdf", bytes: null }, 422, /path separator/],
    ["a name with a backslash", { name: "C:\\temp\\x.pdf", bytes: null }, 422, /path separator/],
    ["a zip named .pdf", { name: "archive.pdf", bytes: Buffer.from("504b0304140000000800", "hex") }, 422, /ZIP file though its name ends in \.pdf/],
  ])("refuses %s with a clear 4xx and stores nothing", async (_label, file, status, message) => {
    const before = await counts();
    const bytes = file.bytes ?? (await samplePdf());
    const response = await uploadThroughApi(key, { name: file.name, bytes });
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: { code: string; message: string; remediation?: string } };
    expect(body.error.message).toMatch(message);
    expect(body.error.remediation).toBeTruthy();
    expect(await counts()).toEqual(before);
  });

  it("the API's OpenAPI document describes the upload as multipart and the download as a file", async () => {
    const { GET } = (await import("@/app/api/v1/openapi.json/route")) as unknown as { GET: (r: Request, c: unknown) => Promise<Response> };
    const document = (await (await GET(new Request("http://app.test/api/v1/openapi.json"), { params: Promise.resolve({}) })).json()) as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
    };
    expect(Object.keys(document.paths["/documents"]!.post!.requestBody!.content)).toEqual(["multipart/form-data"]);
    expect(Object.keys(document.paths["/documents/{id}/file"]!.get!.responses["200"]!.content!)).toEqual(["application/octet-stream"]);
    expect(document.paths["/documents/{id}/signature-requests/{requestId}/cancel"]!.post).toBeTruthy();
  });

  it("accepts an image by its content whatever its name says", async () => {
    const response = await uploadThroughApi(key, { name: "scan.pdf", bytes: tinyPng, type: "application/pdf" });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { mimeType: string }).mimeType).toBe("image/png");
  });
});

describe("signing links", () => {
  it("emails each signer a link that opens the document and records the view", async () => {
    const email = unique();
    const { document, links } = await newRequest([{ name: "Ada Lovelace", email }]);
    expect(links[0]).toBeTruthy();
    const view = await openSigningLink(database.prisma, links[0]!, client);
    expect(view).toMatchObject({ documentName: "contract.pdf", signerEmail: email });
    const file = await signingDocument(database.prisma, links[0]!);
    expect(file.contentType).toBe("application/pdf");
    const viewed = await database.prisma.documentEvent.findMany({ where: { documentId: document.id, kind: "viewed" } });
    expect(viewed).toHaveLength(1);
    expect(viewed[0]).toMatchObject({ ip: client.ip, userAgent: "vitest", sha256: document.sha256 });
    // only the hash is stored
    const signer = await database.prisma.signer.findFirstOrThrow({ where: { email } });
    expect(signer.tokenHash).toBe(hashSigningToken(links[0]!));
    expect(JSON.stringify(signer)).not.toContain(links[0]!.split(".")[2]);
  });

  it("refuses a tampered link, a reused one, an expired one, another signer's, and a cancelled request's", async () => {
    const [a, b] = [unique(), unique()];
    const { request, links } = await newRequest([
      { name: "Ada", email: a },
      { name: "Bob", email: b },
    ]);
    const [linkA, linkB] = links as [string, string];
    // tampered: one character of the mac changed, or the signer id swapped
    const flipped = linkA.slice(0, -1) + (linkA.endsWith("A") ? "B" : "A");
    expect((await refusal(sign(database.prisma, typed(flipped), client))).code).toBe("not_found");
    const [, generation, mac] = linkA.split(".");
    const otherSigner = request.signers[1]!.id;
    // another signer's: A's mac under B's id
    expect((await refusal(sign(database.prisma, typed(`${otherSigner}.${generation}.${mac}`), client))).code).toBe("not_found");
    expect((await refusal(openSigningLink(database.prisma, "not-a-token", client))).message).toBe("This signing link is not valid");
    // reused: the first signature works, the second use of the link is refused
    await sign(database.prisma, typed(linkA), client);
    const reused = await refusal(sign(database.prisma, typed(linkA), client));
    expect(reused.message).toMatch(/not valid|already signed/);
    // cancelled: B's link stops working
    await cancelRequest(database.prisma, actor, { requestId: request.id });
    const cancelled = await refusal(sign(database.prisma, typed(linkB), client));
    expect(cancelled.message).toMatch(/not valid|cancelled/);

    // expired: the request's time passes
    const c = unique();
    const late = await newRequest([{ name: "Cy", email: c }]);
    const future = new Date(Date.now() + 15 * 86_400_000);
    expect((await refusal(sign(database.prisma, typed(late.links[0]!), client, future))).message).toBe("This signing link has expired");
    // a link made by someone without the server's key, for a real signer and generation, is refused
    const forged = signingToken(late.request.signers[0]!.id, 1, new Date(0));
    expect((await refusal(sign(database.prisma, typed(forged), client))).code).toBe("not_found");
  });

  it("in order: the second signer's link waits for the first", async () => {
    const [a, b] = [unique(), unique()];
    const { document, links } = await newRequest(
      [
        { name: "First", email: a },
        { name: "Second", email: b },
      ],
      { order: "sequential" },
    );
    expect(links[1]).toBeUndefined(); // no email yet for the second
    await sign(database.prisma, typed(links[0]!, "First"), client);
    expect((await database.prisma.document.findUniqueOrThrow({ where: { id: document.id } })).status).toBe("partially_signed");
    const second = linksFor(fake, b).at(-1)!;
    expect(await sign(database.prisma, typed(second, "Second"), client)).toEqual({ status: "completed" });
  });

  it("20 concurrent signs of one link make one signature", async () => {
    const email = unique();
    const { document, links } = await newRequest([{ name: "Racer", email }]);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => sign(database.prisma, typed(links[0]!, "Racer"), client)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(AppError);
    expect(await database.prisma.documentEvent.count({ where: { documentId: document.id, kind: "signed" } })).toBe(1);
    expect(await database.prisma.eventOutbox.count({ where: { type: "document.completed", payload: { path: ["documentId"], equals: document.id } } })).toBe(1);
  });
});

describe("completion and events", () => {
  it("the last signature makes the completed PDF with a signature page and emits document.completed once", async () => {
    const [a, b] = [unique(), unique()];
    const { document, links } = await newRequest(
      [
        { name: "Ada Lovelace", email: a },
        { name: "Bob Drawn", email: b },
      ],
      { folder: "Contracts", tags: ["supplier"] },
    );
    const png = `data:image/png;base64,${tinyPng.toString("base64")}`;
    await sign(database.prisma, typed(links[0]!), client);
    expect(await database.prisma.eventOutbox.count({ where: { payload: { path: ["documentId"], equals: document.id } } })).toBe(0);
    await sign(database.prisma, { token: links[1]!, consent: true, signature: { kind: "drawn", dataUrl: png } }, client);
    const row = await database.prisma.document.findUniqueOrThrow({ where: { id: document.id } });
    expect(row.status).toBe("completed");
    const signed = await readFile(database.prisma, owner.companyId, row.signedFileId!);
    const pdf = await PDFDocument.load(signed.bytes);
    expect(pdf.getPageCount()).toBeGreaterThanOrEqual(2); // the original page + the signature page
    const events = await database.prisma.eventOutbox.findMany({ where: { payload: { path: ["documentId"], equals: document.id } } });
    expect(events.map((e) => e.type)).toEqual(["document.completed"]);
    expect(events[0]!.payload).toMatchObject({
      folder: "Contracts",
      tags: ["supplier"],
      signedFileId: row.signedFileId,
      signers: [{ status: "signed" }, { status: "signed" }],
    });
    const trail = await database.prisma.documentEvent.findMany({ where: { documentId: document.id }, orderBy: { createdAt: "asc" } });
    expect(trail.map((e) => e.kind)).toEqual(expect.arrayContaining(["uploaded", "requested", "sent", "signed", "completed"]));
    expect(trail.find((e) => e.kind === "completed")!.sha256).toBe(signed.sha256);
    expect(trail.filter((e) => e.kind === "signed").every((e) => e.ip === client.ip && e.sha256 === document.sha256)).toBe(true);
    // a drawn signature that is not a PNG is refused
    expect(
      (await refusal(sign(database.prisma, { token: links[1]!, consent: true, signature: { kind: "drawn", dataUrl: "data:image/png;base64,AAAA" } }, client)))
        .code,
    ).toBe("validation_failed");
  });

  it("a decline emits document.declined once, with the reason, and ends the request", async () => {
    const [a, b] = [unique(), unique()];
    const { document, links } = await newRequest([
      { name: "Ada", email: a },
      { name: "Bob", email: b },
    ]);
    await decline(database.prisma, { token: links[0]!, reason: "The price is wrong" }, client);
    await expect(sign(database.prisma, typed(links[1]!), client)).rejects.toThrow();
    const events = await database.prisma.eventOutbox.findMany({ where: { payload: { path: ["documentId"], equals: document.id } } });
    expect(events.map((e) => e.type)).toEqual(["document.declined"]);
    expect((events[0]!.payload as { signers: { declineReason: string | null }[] }).signers[0]!.declineReason).toBe("The price is wrong");
    expect((await database.prisma.document.findUniqueOrThrow({ where: { id: document.id } })).status).toBe("declined");
  });

  it("expiry runs on the sweeper's clock: document.expired once, however many passes", async () => {
    const { document, links } = await newRequest([{ name: "Slow", email: unique() }]);
    let now = new Date();
    const sweeper = new DocumentSweeper(database.prisma, () => now);
    expect((await sweeper.pass()).expired).toBe(0);
    now = new Date(Date.now() + 15 * 86_400_000);
    const [first, second] = [await sweeper.pass(), await sweeper.pass()];
    expect(first.expired).toBeGreaterThanOrEqual(1);
    expect(second.expired).toBe(0);
    const events = await database.prisma.eventOutbox.findMany({ where: { payload: { path: ["documentId"], equals: document.id } } });
    expect(events.map((e) => e.type)).toEqual(["document.expired"]);
    expect((await refusal(openSigningLink(database.prisma, links[0]!, client))).code).toBe("not_found");
  });

  it("reminders go out on the clock to signers who have not signed", async () => {
    const email = unique();
    const document = await createDocument(database.prisma, actor, { filename: "remind.pdf", bytes: await samplePdf() });
    await requestSignature(database.prisma, actor, document.id, { signers: [{ name: "Later", email }], remindEveryHours: 24 });
    let now = new Date(Date.now() + 3_600_000);
    const sweeper = new DocumentSweeper(database.prisma, () => now);
    await sweeper.pass();
    expect(fake.outbox.filter((m) => m.to.some((t) => t.includes(email)))).toHaveLength(1);
    now = new Date(Date.now() + 25 * 3_600_000);
    await sweeper.pass();
    const mails = fake.outbox.filter((m) => m.to.some((t) => t.includes(email)));
    expect(mails.map((m) => m.subject)).toEqual(['Please sign "remind.pdf"', 'Reminder: please sign "remind.pdf"']);
    // the reminder carries the same working link
    expect(linksFor(fake, email)[1]).toBe(linksFor(fake, email)[0]);
  });

  it("the dispatcher starts a document.completed workflow once, filtered by folder and tag", async () => {
    const make = async (config: Record<string, unknown>) => {
      const def = { ...definition([node("a")], ["trigger→a"]), trigger: { type: "document.completed", config } };
      const workflow = await createWorkflow(database.prisma, catalog, owner, { name: `on signed ${randomBytes(2).toString("hex")}`, definition: def });
      await publishWorkflow(database.prisma, catalog, owner, workflow.id);
      await setWorkflowEnabled(database.prisma, catalog, owner, workflow.id, true);
      return workflow.id;
    };
    const [any, contracts, other, tagged] = [await make({}), await make({ folder: "Deals" }), await make({ folder: "Elsewhere" }), await make({ tag: "vip" })];
    const dispatcher = new EventDispatcher(database.prisma, catalog);
    await dispatcher.pass(); // deliver what earlier tests emitted
    const before = async (id: string) => database.prisma.workflowRun.count({ where: { workflowId: id } });
    const start = { any: await before(any), contracts: await before(contracts), other: await before(other), tagged: await before(tagged) };
    const { links } = await newRequest([{ name: "Deal", email: unique() }], { folder: "Deals", tags: ["vip"] });
    await sign(database.prisma, typed(links[0]!, "Deal"), client);
    await dispatcher.pass();
    await dispatcher.pass();
    expect(await before(any)).toBe(start.any + 1);
    expect(await before(contracts)).toBe(start.contracts + 1);
    expect(await before(other)).toBe(start.other);
    expect(await before(tagged)).toBe(start.tagged + 1);
  });
});
