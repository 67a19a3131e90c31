import type { Integration } from "@/lib/integrations/types";
import { createFicClient, ficAccount, ficAccountChoice, ficOAuth, mapFicError, type FicClient, type FicSecret } from "./client";
import { createInvoice } from "./create-invoice";
import { fattureInCloudEnv, type FattureInCloudEnv } from "./env";
import { listInvoices } from "./list-invoices";
import { ficOptions } from "./pickers";
import { sendPdf } from "./send-pdf";
import { updateStatus } from "./update-status";

// Fatture in Cloud (API v2): OAuth 2 with refresh, or a pasted access token; a connection is
// bound to one company of the user (chosen after connecting, switchable). Invoices: create,
// mark paid, send by email, list.

export const fattureInCloud: Integration<FicClient> = {
  id: "fattureincloud",
  name: "Fatture in Cloud",
  description: "Create invoices, record payments and send documents.",
  categories: ["accounting"],
  env: fattureInCloudEnv,
  auth: {
    oauth2: ficOAuth,
    token: {
      kind: "token",
      label: "Access token",
      placeholder: "a/…",
      format: {
        pattern: /^a\/[A-Za-z0-9._~+/=-]{8,}$/,
        message: 'A Fatture in Cloud access token starts with "a/" (developer console > your app > manual token)',
      },
      help: "For self-hosters: a manual token from the Fatture in Cloud developer console, with the permissions issued documents (invoices, all), clients (all), settings (read) and emails (read). Manual tokens do not refresh.",
      toSecret: (token) => ({ accessToken: token.trim(), tokenType: "bearer" }),
    },
  },
  createClient: (secret, { env, timeoutMs }: { env: FattureInCloudEnv; timeoutMs: number }) => createFicClient(secret as FicSecret, { env, timeoutMs }),
  testConnection: ficAccount,
  accountChoice: ficAccountChoice,
  mapError: mapFicError,
  actions: [createInvoice, updateStatus, sendPdf, listInvoices],
  options: ficOptions,
  triggers: [],
};
