import { ClientsApi, Configuration, InfoApi, IssuedDocumentsApi, UserApi } from "@fattureincloud/fattureincloud-ts-sdk";
import { z } from "zod";
import { WorkflowError } from "@/lib/workflow/errors";
import type { AccountChoice, AccountInfo, CredentialSecret, OAuth2Spec, RateLimit, TokenGrant } from "@/lib/integrations/types";
import type { FattureInCloudEnv } from "./env";

// The official client (@fattureincloud/fattureincloud-ts-sdk, axios underneath) bound to one
// company of the connection, the OAuth 2 spec, and the mapping of its errors to the taxonomy.
// The SDK never retries; retries and waits are the engine's (a 429 is a durable wait).

export const FIC_SCOPES = ["issued_documents.invoices:a", "entity.clients:a", "settings:r", "emails:r"] as const;

/** The documented 1,000 requests per hour per company and app, shared by every action of a connection. */
export const ficRateLimit: RateLimit = { limit: 1_000, windowMs: 60 * 60 * 1000, bucket: "fattureincloud" };

export type FicSecret = CredentialSecret & { companyId?: number };

export type FicClient = {
  documents: IssuedDocumentsApi;
  info: InfoApi;
  clients: ClientsApi;
  user: UserApi;
  /** The company the connection is bound to. */
  companyId(): number;
};

const apiBase = (env: Pick<FattureInCloudEnv, "FATTUREINCLOUD_API_URL">) => env.FATTUREINCLOUD_API_URL.replace(/\/+$/, "");

export function createFicClient(secret: FicSecret, options: { env: Pick<FattureInCloudEnv, "FATTUREINCLOUD_API_URL">; timeoutMs: number }): FicClient {
  const configuration = new Configuration({
    accessToken: secret.accessToken,
    basePath: apiBase(options.env),
    // Never follow a redirect with the token, never wait past the step's bound.
    baseOptions: { timeout: options.timeoutMs, maxRedirects: 0 },
  });
  return {
    documents: new IssuedDocumentsApi(configuration),
    info: new InfoApi(configuration),
    clients: new ClientsApi(configuration),
    user: new UserApi(configuration),
    companyId() {
      if (typeof secret.companyId === "number") return secret.companyId;
      throw new WorkflowError("E_CREDENTIAL_SCOPE", {
        message: "The Fatture in Cloud connection is not bound to a company",
        remediation: "Choose the company of the connection in Settings > Integrations",
      });
    },
  };
}

/** The JSON body of an SDK answer; a 200 whose body is not the API's JSON is a provider error. */
export function body<T>(response: { data: T }): T {
  const data = response.data as unknown;
  if (typeof data !== "object" || data === null)
    throw new WorkflowError("E_PROVIDER", { message: "Fatture in Cloud answered something that is not its API's JSON" });
  return data as T;
}

/** Token answers (authorization code and refresh grants). */
const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().optional(),
});

export const ficOAuth: OAuth2Spec<FattureInCloudEnv, z.output<typeof tokenResponse>> = {
  kind: "oauth2",
  clientIdVar: "FATTUREINCLOUD_CLIENT_ID",
  clientSecretVar: "FATTUREINCLOUD_CLIENT_SECRET",
  authorizeUrl: (env) => `${apiBase(env)}/oauth/authorize`,
  tokenUrl: (env) => `${apiBase(env)}/oauth/token`,
  scopes: FIC_SCOPES,
  scopeSeparator: " ",
  // Not claimed by the API reference we have offline: the classic code flow with a client secret.
  pkce: false,
  clientAuthentication: "client_secret_post",
  tokenResponse,
  toGrant(response, previous?: FicSecret): TokenGrant {
    const secret: FicSecret = {
      accessToken: response.access_token,
      tokenType: "bearer",
      ...(response.refresh_token ? { refreshToken: response.refresh_token } : previous?.refreshToken ? { refreshToken: previous.refreshToken } : {}),
      // A refresh keeps the company the connection is bound to.
      ...(previous?.companyId !== undefined ? { companyId: previous.companyId } : {}),
    };
    return {
      secret,
      // The token answer does not say whose it is: accountChoice binds the grant to a company.
      account: { displayName: "Fatture in Cloud", accountId: "unbound", scopes: [...FIC_SCOPES] },
      expiresAt: response.expires_in ? new Date(Date.now() + response.expires_in * 1000) : null,
    };
  },
  refresh: true,
};

/** The companies the user who connected can act for (GET /user/companies). */
export async function ficCompanies(client: FicClient): Promise<AccountInfo[]> {
  const [companies, info] = await Promise.all([client.user.listUserCompanies(), client.user.getUserInfo()]);
  const user = body(info).data;
  return (body(companies).data?.companies ?? [])
    .filter((c) => typeof c.id === "number")
    .map((c) => ({
      displayName: c.name ?? `Company ${c.id}`,
      accountId: String(c.id),
      details: { ...(c.vat_number ? { vat: c.vat_number } : {}), ...(user?.name ? { user: user.name } : {}), ...(user?.email ? { email: user.email } : {}) },
    }));
}

export const ficAccountChoice: AccountChoice<FicClient> = {
  noun: "company",
  list: ficCompanies,
  bind: (secret, account) => ({ ...secret, companyId: Number(account.accountId) }),
};

/** Checks the token works and names the company the connection is bound to (or the first, before binding). */
export async function ficAccount(client: FicClient): Promise<AccountInfo> {
  const companies = await ficCompanies(client);
  let bound: number | null = null;
  try {
    bound = client.companyId();
  } catch {
    bound = null;
  }
  const company = bound === null ? companies[0] : companies.find((c) => c.accountId === String(bound));
  if (!company) {
    throw new WorkflowError("E_CREDENTIAL_SCOPE", {
      message: bound === null ? "This Fatture in Cloud user has no company" : `The Fatture in Cloud user no longer has access to company ${bound}`,
      remediation: "Choose another company of the connection in Settings > Integrations, or connect another Fatture in Cloud user",
    });
  }
  return { ...company, scopes: [...FIC_SCOPES] };
}

type AxiosLike = { isAxiosError?: boolean; code?: string; response?: { status: number; data?: unknown; headers?: Record<string, unknown> } };
type FicErrorBody = { error?: { message?: string; code?: string; validation_result?: Record<string, string[] | string> | null } };

function retryAfterMs(headers: Record<string, unknown> | undefined): number {
  const seconds = Number(headers?.["retry-after"] ?? "");
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
}

/** Which of the 403s it is: they all say so in error.code / message. */
function forbiddenRemediation(code: string, message: string): string {
  const text = `${code} ${message}`.toLowerCase();
  if (text.includes("licen")) return "Renew the Fatture in Cloud licence of this company, then replay the run";
  if (text.includes("quota")) return "The company's Fatture in Cloud request quota is used up; wait for the quota to reset (or raise it), then replay the run";
  return "Ask the company's Fatture in Cloud administrator for this permission, or reconnect Fatture in Cloud and allow the permissions Flowline asks for";
}

/** Maps whatever the SDK (axios) threw to the taxonomy. */
export function mapFicError(error: unknown, context: { action?: string; input?: unknown } = {}): WorkflowError {
  if (error instanceof WorkflowError) return error;
  const axios = error as AxiosLike;
  if (!axios?.isAxiosError) {
    const name = (error as Error | undefined)?.name;
    if (name === "TimeoutError" || name === "AbortError" || name === "CanceledError")
      return new WorkflowError("E_TIMEOUT", { message: "Fatture in Cloud did not answer in time", cause: error });
    return new WorkflowError("E_PROVIDER", { message: `Fatture in Cloud call failed${context.action ? ` in ${context.action}` : ""}`, cause: error });
  }
  if (!axios.response) {
    if (axios.code === "ECONNABORTED" || axios.code === "ETIMEDOUT" || axios.code === "ERR_CANCELED")
      return new WorkflowError("E_TIMEOUT", { message: "Fatture in Cloud did not answer in time", cause: error });
    return new WorkflowError("E_PROVIDER", {
      message: `Fatture in Cloud could not be reached (${axios.code ?? "network error"})`,
      remediation: "Retry later; check the server's network and Fatture in Cloud's status page",
      cause: error,
    });
  }
  const { status, headers } = axios.response;
  const payload = (typeof axios.response.data === "object" && axios.response.data !== null ? axios.response.data : {}) as FicErrorBody;
  const message = payload.error?.message ?? `HTTP ${status}`;
  const code = payload.error?.code ?? String(status);
  const details = { status, ficError: code };
  switch (true) {
    case status === 401:
      return new WorkflowError("E_CREDENTIAL_INVALID", {
        message: `Fatture in Cloud refused the connection (${message})`,
        remediation: "Reconnect Fatture in Cloud in Settings > Integrations",
        details,
        cause: error,
      });
    case status === 403:
      return new WorkflowError("E_CREDENTIAL_SCOPE", {
        message: `Fatture in Cloud refused: ${message}`,
        remediation: forbiddenRemediation(code, message),
        details,
        cause: error,
      });
    case status === 404:
      return new WorkflowError("E_NOT_FOUND", {
        message: `Fatture in Cloud did not find it (${message})`,
        remediation: "Check the document or client id; it may have been deleted in Fatture in Cloud",
        details,
        cause: error,
      });
    case status === 409 || status === 422 || status === 400: {
      const fields = Object.entries(payload.error?.validation_result ?? {}).map(([path, problems]) => ({
        path,
        message: Array.isArray(problems) ? problems.join("; ") : String(problems),
      }));
      const listed = fields.map((f) => `${f.path}: ${f.message}`).join("; ");
      return new WorkflowError("E_VALIDATION", {
        message: `Fatture in Cloud refused the input: ${listed || message}`,
        remediation: "Fix the fields named in the message (they are Fatture in Cloud's names) and try again",
        details: { ...details, issues: fields },
        cause: error,
      });
    }
    case status === 429:
      return new WorkflowError("E_RATE_LIMITED", {
        message: "Fatture in Cloud is limiting requests (HTTP 429)",
        retryAfterMs: retryAfterMs(headers),
        details,
        cause: error,
      });
    default:
      return new WorkflowError("E_PROVIDER", { message: `Fatture in Cloud answered HTTP ${status} (${message})`, details, cause: error });
  }
}
