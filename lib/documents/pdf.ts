import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from "pdf-lib";

// The completed PDF: the original (a PDF as it is, a PNG or JPEG on a page of its own) with a
// signature page appended: each signer's signature (typed or drawn), when, from where, and the
// audit trail with the document's sha256 at each step.

export type SignaturePageInput = {
  title: string;
  original: { bytes: Uint8Array; contentType: string; sha256: string };
  signers: { name: string; email: string; signedAt: Date; kind: "typed" | "drawn"; text: string | null; image: Uint8Array | null; ip: string | null }[];
  trail: { at: Date; kind: string; actor: string; ip: string | null; sha256: string }[];
};

// The standard fonts encode WinAnsi only: anything else is shown as "?" rather than failing the signature.
const printable = (text: string) => text.normalize("NFC").replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, "?");

const A4 = [595.28, 841.89] as const;
const MARGIN = 50;

async function startFrom(original: SignaturePageInput["original"]): Promise<PDFDocument> {
  if (original.contentType === "application/pdf") return PDFDocument.load(original.bytes, { updateMetadata: false });
  const pdf = await PDFDocument.create();
  const image =
    original.contentType === "image/png"
      ? await pdf.embedPng(original.bytes)
      : original.contentType === "image/jpeg"
        ? await pdf.embedJpg(original.bytes)
        : null;
  if (image) {
    const page = pdf.addPage([...A4]);
    const scale = Math.min((A4[0] - 2 * MARGIN) / image.width, (A4[1] - 2 * MARGIN) / image.height, 1);
    page.drawImage(image, { x: MARGIN, y: A4[1] - MARGIN - image.height * scale, width: image.width * scale, height: image.height * scale });
  }
  return pdf;
}

class Writer {
  page: PDFPage;
  y: number;
  constructor(
    private readonly pdf: PDFDocument,
    private readonly font: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.page = pdf.addPage([...A4]);
    this.y = A4[1] - MARGIN;
  }
  ensure(height: number) {
    if (this.y - height >= MARGIN) return;
    this.page = this.pdf.addPage([...A4]);
    this.y = A4[1] - MARGIN;
  }
  text(value: string, { size = 10, bold = false, color = rgb(0.1, 0.1, 0.12), x = MARGIN } = {}) {
    this.ensure(size + 4);
    this.page.drawText(printable(value), { x, y: this.y - size, size, font: bold ? this.bold : this.font, color, maxWidth: A4[0] - MARGIN - x });
    this.y -= size + 5;
  }
  gap(height = 8) {
    this.y -= height;
  }
  rule() {
    this.ensure(6);
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: A4[0] - MARGIN, y: this.y }, thickness: 0.5, color: rgb(0.8, 0.8, 0.82) });
    this.y -= 8;
  }
}

export async function completedPdf(input: SignaturePageInput): Promise<Uint8Array> {
  const pdf = await startFrom(input.original);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const script = await pdf.embedFont(StandardFonts.TimesRomanItalic);
  const w = new Writer(pdf, font, bold);
  const muted = rgb(0.4, 0.4, 0.45);

  w.text("Signature certificate", { size: 18, bold: true });
  w.text(input.title, { size: 12 });
  w.text(`Original document sha256: ${input.original.sha256}`, { size: 8, color: muted });
  w.gap();
  w.rule();
  for (const signer of input.signers) {
    w.ensure(110);
    w.text(`${signer.name} <${signer.email}>`, { size: 11, bold: true });
    w.text(`Signed ${signer.signedAt.toISOString()}${signer.ip ? ` from ${signer.ip}` : ""} (${signer.kind === "typed" ? "typed" : "drawn"} signature)`, {
      size: 9,
      color: muted,
    });
    if (signer.kind === "drawn" && signer.image) {
      const image = await pdf.embedPng(signer.image);
      const scale = Math.min(220 / image.width, 60 / image.height);
      w.ensure(image.height * scale + 6);
      w.page.drawImage(image, { x: MARGIN, y: w.y - image.height * scale, width: image.width * scale, height: image.height * scale });
      w.y -= image.height * scale + 6;
    } else {
      w.ensure(34);
      w.page.drawText(printable(signer.text ?? signer.name), { x: MARGIN, y: w.y - 26, size: 24, font: script, color: rgb(0.1, 0.15, 0.4) });
      w.y -= 34;
    }
    w.rule();
  }
  w.gap();
  w.text("Audit trail", { size: 13, bold: true });
  for (const entry of input.trail) {
    w.text(`${entry.at.toISOString()}  ${entry.kind}  ${entry.actor}${entry.ip ? `  (${entry.ip})` : ""}`, { size: 8 });
    w.text(`sha256 ${entry.sha256}`, { size: 7, color: muted, x: MARGIN + 12 });
  }
  pdf.setTitle(printable(`${input.title} (signed)`));
  pdf.setProducer("Flowline Doc Manager");
  return pdf.save();
}
