import { z } from "zod";
import { providers } from "@/lib/catalog/providers";
import { loadOrCreateLocalSecrets } from "@/lib/config/local-secrets";

// Every environment variable Flowline reads, validated once. Modules read config through
// getEnv(), never process.env directly, so a bad value stops the start with a clear message.
const optionalUrl = z.url({ message: "must be a URL such as https://example.com" }).optional();
const optionalSecret = z.string().min(1).optional();

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL (leave it unset for the embedded database)")
      .optional(),
    FLOWLINE_DATA_DIR: z.string().min(1).default(".data"),
    APP_URL: optionalUrl,
    NEXTAUTH_URL: optionalUrl,
    NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional(),
    ENCRYPTION_KEY: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=$/, "must be 32 random bytes in base64 (openssl rand -base64 32)")
      .optional(),
    ENCRYPTION_KEYS_PREVIOUS: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=(\s*,\s*[A-Za-z0-9+/]{43}=)*$/, "must be a comma-separated list of base64 32-byte keys that ENCRYPTION_KEY replaced")
      .optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    FLOWLINE_EMBEDDED_WORKER: z.enum(["on", "off"]).default("on"),
    TRIGGER_SECRET_KEY: optionalSecret,
    TRIGGER_API_URL: optionalUrl,
    TRIGGER_PROJECT_REF: z
      .string()
      .regex(/^proj_[a-z0-9]+$/, "must look like proj_abc123")
      .optional(),
    RESEND_API_KEY: optionalSecret,
    RESEND_BASE_URL: optionalUrl,
    EMAIL_FROM: z.string().min(3).optional(),
    RESEND_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, "must be the webhook's signing secret from Resend (whsec_…)")
      .optional(),
    INBOUND_EMAIL_DOMAIN: z
      .string()
      .regex(/^[a-z0-9.-]+\.[a-z]{2,}$|^localhost$/i, "must be a domain such as in.example.com")
      .default("inbound.localhost"),
    GOOGLE_CLIENT_ID: optionalSecret,
    GOOGLE_CLIENT_SECRET: optionalSecret,
    GITHUB_CLIENT_ID: optionalSecret,
    GITHUB_CLIENT_SECRET: optionalSecret,
    TRUST_PROXY: z
      .string()
      .regex(
        /^(\d{1,2}|[0-9A-Fa-f.:/]+|loopback|linklocal|uniquelocal)(\s*,\s*([0-9A-Fa-f.:/]+|loopback|linklocal|uniquelocal))*$/,
        "must be a number of proxy hops (1) or a comma-separated list of proxy addresses or CIDRs (10.0.0.0/8, loopback)",
      )
      .optional(),
    FLOWLINE_INTAKE_RATE: z.coerce.number().positive("must be a number of deliveries per second above 0").default(50),
    FLOWLINE_INTAKE_BURST: z.coerce.number().int().min(1, "must be a whole number of deliveries, at least 1").default(100),
    FLOWLINE_OUTBOUND_ALLOW: z
      .string()
      .regex(/^[\w.:[\]-]+(\s*,\s*[\w.:[\]-]+)*$/, "must be a comma-separated list of host or host:port entries")
      .optional(),
  })
  // Each provider brings its own variables (lib/integrations/<provider>/env.ts).
  .extend(Object.assign({}, ...providers.map((provider) => provider.env.shape)) as Record<never, z.ZodType>)
  .superRefine((env, ctx) => {
    // A production deployment on a Postgres server must bring its own secrets; the embedded
    // default generates them once into the data folder so a fresh clone starts with no setup.
    if (env.NODE_ENV === "production" && env.DATABASE_URL) {
      for (const name of ["ENCRYPTION_KEY", "NEXTAUTH_SECRET"] as const) {
        if (!env[name]) ctx.addIssue({ code: "custom", path: [name], message: "is required in production with DATABASE_URL" });
      }
    }
    const pairs = [
      ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"],
      ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"],
      ...providers.flatMap((provider) => (provider.auth.oauth2 ? [[provider.auth.oauth2.clientIdVar, provider.auth.oauth2.clientSecretVar]] : [])),
    ] as [string, string][];
    const values = env as Record<string, unknown>;
    for (const [id, secret] of pairs) {
      if (Boolean(values[id]) !== Boolean(values[secret])) {
        ctx.addIssue({ code: "custom", path: [values[id] ? secret : id], message: `must be set together with ${values[id] ? id : secret}` });
      }
    }
    if (env.RESEND_API_KEY && !env.EMAIL_FROM) {
      ctx.addIssue({ code: "custom", path: ["EMAIL_FROM"], message: "is required when RESEND_API_KEY is set (e.g. Flowline <login@example.com>)" });
    }
  });

type RawEnv = z.infer<typeof schema>;

/** The variables Flowline reads (tests check that .env.example documents each one). */
export const envVariableNames = Object.keys(schema.shape);
export type Env = RawEnv & {
  appUrl: string;
  authSecret: string;
  encryptionKey: string;
  embedded: boolean;
  /** What executes runs: Trigger.dev tasks when TRIGGER_SECRET_KEY is set, else the embedded worker. */
  runsOn: "embedded" | "trigger.dev";
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example for every variable.`);
    this.name = "ConfigError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings in .env files mean "unset", not "set to nothing".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`));
  }
  const env = result.data;
  const local = env.ENCRYPTION_KEY && env.NEXTAUTH_SECRET ? null : loadOrCreateLocalSecrets(env.FLOWLINE_DATA_DIR);
  return {
    ...env,
    appUrl: (env.APP_URL ?? env.NEXTAUTH_URL ?? `http://localhost:${source.PORT ?? 3000}`).replace(/\/$/, ""),
    authSecret: env.NEXTAUTH_SECRET ?? local!.authSecret,
    encryptionKey: env.ENCRYPTION_KEY ?? local!.encryptionKey,
    embedded: !env.DATABASE_URL,
    runsOn: env.TRIGGER_SECRET_KEY ? "trigger.dev" : "embedded",
  };
}

const cache = globalThis as unknown as { __flowlineEnv?: Env };

export function getEnv(): Env {
  cache.__flowlineEnv ??= parseEnv(process.env);
  return cache.__flowlineEnv;
}
