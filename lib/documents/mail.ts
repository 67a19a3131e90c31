import { Resend } from "resend";
import { getEnv } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";

// Signer emails go out the way the sign-in links do: the server's Resend key and EMAIL_FROM
// (RESEND_BASE_URL points it at fakes/resend in the sandbox and tests). Each email carries the
// signer's link; Resend's Idempotency-Key keeps one email per signer and link generation.

export type SignerEmail = {
  to: { name: string; email: string };
  documentName: string;
  from: string | null;
  message: string | null;
  link: string;
  expiresAt: Date;
  kind: "request" | "reminder";
  idempotencyKey: string;
};

export function emailConfigured(): boolean {
  const env = getEnv();
  return Boolean(env.RESEND_API_KEY && env.EMAIL_FROM);
}

export const emailNotConfigured = () =>
  new AppError("validation_failed", "This server cannot send email, so signers would get no link", {
    remediation: "Set RESEND_API_KEY and EMAIL_FROM (the same settings as sign-in links), then request the signature again.",
  });

export async function sendSignerEmail(email: SignerEmail): Promise<void> {
  const env = getEnv();
  if (!env.RESEND_API_KEY || !env.EMAIL_FROM) throw emailNotConfigured();
  const resend = new Resend(env.RESEND_API_KEY, env.RESEND_BASE_URL ? { baseUrl: env.RESEND_BASE_URL } : undefined);
  const who = email.from ? `${email.from} asks you` : "You are asked";
  const subject = email.kind === "reminder" ? `Reminder: please sign "${email.documentName}"` : `Please sign "${email.documentName}"`;
  const text = [
    `Hello ${email.to.name},`,
    "",
    `${who} to sign "${email.documentName}".`,
    ...(email.message ? ["", email.message] : []),
    "",
    `Read and sign it here: ${email.link}`,
    "",
    `The link is personal: do not forward it. It works until ${email.expiresAt.toUTCString()} and only until you sign or decline.`,
  ].join("\n");
  const { error } = await resend.emails.send(
    { from: env.EMAIL_FROM, to: [`${email.to.name} <${email.to.email}>`], subject, text },
    { idempotencyKey: email.idempotencyKey },
  );
  if (error) {
    logger.warn({ error: error.name }, "a signer email could not be sent");
    throw new AppError("bad_request", `The email to ${email.to.email} could not be sent (${error.name})`, {
      remediation: "Check the email settings (RESEND_API_KEY, EMAIL_FROM), then use Resend on the document.",
    });
  }
}
