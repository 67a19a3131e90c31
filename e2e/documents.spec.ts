import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { fakeResendURL, fakeSlackURL } from "../playwright.config";
import { shot, signUp } from "./support/pages";

// The Doc Manager end to end: upload a contract on the Documents page, a workflow requests the
// signature and waits for it, the signer opens the link from the fake Resend outbox and signs,
// document.completed starts a second workflow that posts to the fake Slack. Screenshots of the
// document page, the signing page (light, dark, 375 px) and the completed PDF's pages (rendered
// with pdfjs in Chromium).

async function contractPdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595, 842]);
  page.drawText("Supply contract", { x: 60, y: 760, size: 28, font });
  page.drawText("Acme Srl sells Beta SpA 1,000 widgets at 12 EUR each.", { x: 60, y: 720, size: 12, font });
  return Buffer.from(await pdf.save());
}

async function publish(request: APIRequestContext, name: string, definition: unknown, enable = false): Promise<string> {
  const created = await request.post("/api/v1/workflows", { data: { name, definition } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const published = await request.post(`/api/v1/workflows/${id}/publish`, { data: {} });
  expect(published.ok(), await published.text()).toBe(true);
  if (enable) expect((await request.post(`/api/v1/workflows/${id}/enable`, { data: {} })).ok()).toBe(true);
  return id;
}

async function signingLink(email: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const { emails } = (await (await fetch(`${fakeResendURL}/outbox.json`)).json()) as { emails: { to: string[]; text: string | null }[] };
    const mail = emails.reverse().find((e) => e.to.some((to) => to.includes(email)));
    const link = mail?.text?.match(/https?:\/\/\S+\/sign\/\S+/)?.[0];
    if (link) return link;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no signing email for ${email}`);
}

/** Renders each page of a PDF to a PNG with pdfjs in this browser (served from node_modules, no network). */
async function renderPdf(page: Page, bytes: Buffer, name: string): Promise<number> {
  const dist = path.join(process.cwd(), "node_modules/pdfjs-dist/build");
  await page.route("http://pdf.render/**", (route) => {
    const file = new URL(route.request().url()).pathname.slice(1);
    if (file === "doc.pdf") return route.fulfill({ body: bytes, contentType: "application/pdf" });
    if (file === "index.html") return route.fulfill({ body: "<!doctype html><body style='margin:0;background:#ccc'></body>", contentType: "text/html" });
    return route.fulfill({ body: fs.readFileSync(path.join(dist, file)), contentType: "text/javascript" });
  });
  await page.goto("http://pdf.render/index.html");
  const pages = await page.evaluate(async () => {
    const pdfjs = (await import("http://pdf.render/pdf.mjs" as string)) as {
      GlobalWorkerOptions: { workerSrc: string };
      getDocument(src: string): { promise: Promise<{ numPages: number; getPage(n: number): Promise<unknown> }> };
    };
    pdfjs.GlobalWorkerOptions.workerSrc = "http://pdf.render/pdf.worker.mjs";
    const doc = await pdfjs.getDocument("http://pdf.render/doc.pdf").promise;
    for (let n = 1; n <= doc.numPages; n++) {
      const pdfPage = (await doc.getPage(n)) as {
        getViewport(o: { scale: number }): { width: number; height: number };
        render(o: { canvasContext: CanvasRenderingContext2D; viewport: unknown }): { promise: Promise<void> };
      };
      const viewport = pdfPage.getViewport({ scale: 1.3 });
      const canvas = document.createElement("canvas");
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      canvas.style.display = "block";
      canvas.style.margin = "12px auto";
      canvas.dataset.page = String(n);
      document.body.appendChild(canvas);
      await pdfPage.render({ canvasContext: canvas.getContext("2d")!, viewport }).promise;
    }
    return doc.numPages;
  });
  for (let n = 1; n <= pages; n++) await page.locator(`canvas[data-page="${n}"]`).screenshot({ path: `test-results/screens/${name}-page-${n}.png` });
  return pages;
}

test("upload, request a signature from a workflow, sign from the emailed link; document.completed notifies Slack", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const stamp = Date.now();
  const signer = { name: "Beatrice Rossi", email: `beatrice-${stamp}@beta.test` };
  await signUp(page, { name: "Dora Docs", email: `dora-${stamp}@acme.test`, password: "contracts all day", company: "Acme Srl" });

  // Slack, through the fake's consent page (the notify workflow posts with it).
  await page.goto("/settings/integrations");
  await page.getByRole("link", { name: "Connect Slack" }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByText("Slack connected").first()).toBeVisible();

  // Upload on the Documents page: a file that only claims to be a PDF is refused, the real one lands.
  await page.goto("/documents");
  await page
    .getByLabel("File (PDF or image, up to 10 MB)")
    .setInputFiles({ name: "contract.pdf", mimeType: "application/pdf", buffer: Buffer.from("just text, not a PDF") });
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "is not a PDF or an image though its name ends in .pdf" })).toBeVisible();
  await page
    .getByLabel("File (PDF or image, up to 10 MB)")
    .setInputFiles({ name: "Supply contract.pdf", mimeType: "application/pdf", buffer: await contractPdf() });
  await page.getByLabel("Folder").fill("Contracts");
  await page.getByLabel("Tags").fill("supplier");
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page).toHaveURL(/\/documents\/[a-z0-9]+$/);
  const documentId = page.url().split("/").at(-1)!;
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Supply contract.pdf");

  // document.completed → Slack, enabled; then the workflow that asks for the signature and waits.
  await publish(
    page.request,
    "Tell Slack when a contract is signed",
    {
      trigger: { type: "document.completed", config: { folder: "Contracts" } },
      nodes: [
        {
          id: "notify",
          type: "slack.send_message",
          name: "Notify",
          config: { channel: "C0GENERAL", text: "Signed: {{trigger.payload.title}} by {{trigger.payload.signers.0.name}}" },
          position: { x: 0, y: 100 },
        },
      ],
      edges: [{ id: "e1", source: "trigger", target: "notify" }],
    },
    true,
  );
  const askId = await publish(page.request, "Get the contract signed", {
    trigger: { type: "manual" },
    nodes: [
      {
        id: "request",
        type: "docmanager.request_signature",
        name: "Request signature",
        config: {
          documentId: "{{trigger.payload.documentId}}",
          signers: [{ name: signer.name, email: "{{trigger.payload.email}}" }],
          message: "Please sign the supply contract.",
        },
        position: { x: 0, y: 100 },
      },
      {
        id: "wait",
        type: "docmanager.wait_for_signature",
        name: "Wait",
        config: { requestId: "{{step.request.output.requestId}}", timeoutMs: 86_400_000 },
        position: { x: 0, y: 200 },
      },
      { id: "done", type: "core.noop", name: "Signed", config: { value: "{{step.wait.output.signedFileId}}" }, position: { x: 0, y: 300 } },
    ],
    edges: [
      { id: "e1", source: "trigger", target: "request" },
      { id: "e2", source: "request", target: "wait" },
      { id: "e3", source: "wait", sourceHandle: "completed", target: "done" },
    ],
  });
  const started = await page.request.post(`/api/v1/workflows/${askId}/runs`, { data: { payload: { documentId, email: signer.email } } });
  expect(started.status()).toBe(202);
  const runId = ((await started.json()) as { run: { id: string } }).run.id;

  await page.reload();
  await expect(page.getByText("Out for signature").first()).toBeVisible();
  await shot(page, "document-out-for-signature");

  // The signer: no account, the link from the email.
  const link = await signingLink(signer.email);
  const signerContext = await browser.newContext({ colorScheme: "light" });
  const signing = await signerContext.newPage();
  await signing.goto(link);
  await expect(signing.getByRole("heading", { level: 1, name: "Supply contract.pdf" })).toBeVisible();
  await expect(signing.getByText("Please sign the supply contract.")).toBeVisible();
  await shot(signing, "signing-light");
  await signing.emulateMedia({ colorScheme: "dark" });
  await signing.reload();
  await shot(signing, "signing-dark");
  await signing.emulateMedia({ colorScheme: "light" });
  await signing.setViewportSize({ width: 375, height: 812 });
  await signing.reload();
  await shot(signing, "signing-375");
  const scrolls = await signing.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  expect(scrolls, "the signing page fits 375 px without scrolling sideways").toBe(false);

  const sign = signing.getByRole("button", { name: "Sign document" });
  await expect(sign).toBeDisabled();
  await signing.getByLabel("Your full name").fill(signer.name);
  await signing.getByRole("checkbox").check();
  await sign.click();
  await expect(signing.getByText("Signed. Thank you")).toBeVisible();
  // The link worked once.
  await signing.reload();
  await expect(signing.getByRole("heading", { level: 1 })).toHaveText("This signing link is not valid");
  await signerContext.close();

  // The waiting run took the completed branch; document.completed posted to Slack.
  await expect
    .poll(async () => ((await (await page.request.get(`/api/v1/runs/${runId}`)).json()) as { status: string }).status, { timeout: 30_000 })
    .toBe("succeeded");
  await expect
    .poll(
      async () => {
        const { calls } = (await (await fetch(`${fakeSlackURL}/__fake/calls?method=chat.postMessage`)).json()) as { calls: { params: { text?: string } }[] };
        return calls.map((c) => c.params.text);
      },
      { timeout: 30_000 },
    )
    .toContain(`Signed: Supply contract.pdf by ${signer.name}`);

  await page.reload();
  await expect(page.getByText("Completed").first()).toBeVisible();
  await expect(page.getByRole("link", { name: "Download signed PDF" })).toBeVisible();
  await shot(page, "document-completed");

  // The completed PDF: the contract, then the signature page.
  const download = await page.request.get(`/api/v1/documents/${documentId}/file?version=signed`);
  expect(download.headers()["content-type"]).toBe("application/pdf");
  const signed = Buffer.from(await download.body());
  const pages = await renderPdf(page, signed, "completed-pdf");
  expect(pages).toBeGreaterThanOrEqual(2);
});
