import type { Integration } from "@/lib/integrations/types";
import { createResendClient, mapResendError, resendAccount, type ResendClient } from "./client";
import { domainOptions } from "./domains";
import { resendEnv } from "./env";
import { sendEmail } from "./send-email";

// Email through Resend: a company's own API key (pasted, checked), sending from its verified
// domains or the server's EMAIL_FROM; a company with no Resend connection sends with the server's
// own key (RESEND_API_KEY, the key of the sign-in links) from EMAIL_FROM.

export const resend: Integration<ResendClient> = {
  id: "resend",
  name: "Resend",
  description: "Send emails with attachments from your own domain.",
  categories: ["communication"],
  env: resendEnv,
  auth: {
    token: {
      kind: "token",
      label: "API key",
      placeholder: "re_…",
      format: { pattern: /^re_[A-Za-z0-9_]{8,}$/, message: "A Resend API key starts with re_ (Resend > API Keys)" },
      help: "From Resend > API Keys. A full-access key lets Flowline list your verified domains; a sending-only key works too.",
      toSecret: (token) => ({ accessToken: token.trim() }),
    },
  },
  createClient: (secret, { env, timeoutMs }: { env: { RESEND_BASE_URL?: string; EMAIL_FROM?: string }; timeoutMs: number }) =>
    createResendClient(secret.accessToken, { baseUrl: env.RESEND_BASE_URL, defaultFrom: env.EMAIL_FROM, timeoutMs }),
  testConnection: resendAccount,
  serverConnection: (env: { RESEND_API_KEY?: string }) =>
    env.RESEND_API_KEY ? { secret: { accessToken: env.RESEND_API_KEY }, displayName: "the server's Resend key (RESEND_API_KEY)" } : null,
  mapError: mapResendError,
  actions: [sendEmail],
  options: [domainOptions],
  triggers: [],
};
