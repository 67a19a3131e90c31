import { PDFDocument, StandardFonts } from "pdf-lib";
import type { FakeResend } from "@/fakes/resend/server";

// What the Doc Manager tests share: real PDFs made with pdf-lib, uploads as the browser sends
// them (multipart through the real route handler), and signing links read from the fake outbox.

export async function samplePdf(text = "Supply contract"): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  page.drawText(text, { x: 60, y: 760, size: 24, font: await pdf.embedFont(StandardFonts.Helvetica) });
  return pdf.save();
}

/** A 1×1 PNG. */
export const tinyPng = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

export async function uploadThroughApi(
  key: string,
  file: { name: string; bytes: Uint8Array; type?: string },
  fields: Record<string, string> = {},
): Promise<Response> {
  const { POST } = (await import("@/app/api/v1/documents/route")) as { POST: (r: Request, c: unknown) => Promise<Response> };
  const form = new FormData();
  form.append("file", new File([Buffer.from(file.bytes)], file.name, { type: file.type ?? "application/pdf" }));
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return POST(new Request("http://app.test/api/v1/documents", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form }), {
    params: Promise.resolve({}),
  });
}

/** The signing links in the outbox for an address, oldest first. */
export function linksFor(fake: FakeResend, email: string): string[] {
  return fake.outbox
    .filter((mail) => mail.to.some((to) => to.includes(email)))
    .flatMap((mail) => [...(mail.text ?? "").matchAll(/\/sign\/([^\s]+)/g)].map((m) => decodeURIComponent(m[1]!)));
}
