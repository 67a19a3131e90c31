import { PrismaAdapter } from "@auth/prisma-adapter";
import type { NextAuthOptions } from "next-auth";
import type { Adapter } from "next-auth/adapters";
import CredentialsProvider from "next-auth/providers/credentials";
import EmailProvider from "next-auth/providers/email";
import GitHubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import { Resend } from "resend";
import { getEnv, type Env } from "@/lib/config/env";
import { getDb, type Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { logger, rateLimitedWarner } from "@/lib/log";
import { clientAddress } from "@/lib/auth/client-address";
import { verifyCredentials } from "@/lib/auth/sign-in";

// next-auth logs a forged or stale session cookie as an error with a multi-line stack, once per
// request: anyone can flood the log that way. What a client can cause becomes one rate-limited
// warn line per kind; next-auth's other errors (configuration, providers) stay errors.
const CLIENT_CAUSED = new Set(["JWT_SESSION_ERROR", "OAUTH_CALLBACK_ERROR"]);
const clientCausedWarnings = rateLimitedWarner();

export function authLogger(warn = clientCausedWarnings, target: Pick<typeof logger, "error"> = logger): NonNullable<NextAuthOptions["logger"]> {
  const reason = (metadata: unknown) => {
    const error = metadata instanceof Error ? metadata : (metadata as { error?: unknown } | undefined)?.error;
    return error instanceof Error ? `${error.name}: ${error.message}`.split("\n")[0] : undefined;
  };
  return {
    error: (code, metadata) =>
      CLIENT_CAUSED.has(code)
        ? warn(`next-auth:${code}`, { code, reason: reason(metadata) }, `rejected a session or callback: ${code}`)
        : target.error({ code, reason: reason(metadata) }, `next-auth error: ${code}`),
    warn: (code) => warn(`next-auth:${code}`, { code }, `next-auth warning: ${code}`),
    debug: () => {},
  };
}

function extraProviders(env: Env) {
  const providers = [];
  if (env.RESEND_API_KEY && env.EMAIL_FROM) {
    const resend = new Resend(env.RESEND_API_KEY, env.RESEND_BASE_URL ? { baseUrl: env.RESEND_BASE_URL } : undefined);
    providers.push(
      EmailProvider({
        from: env.EMAIL_FROM,
        maxAge: 15 * 60,
        sendVerificationRequest: async ({ identifier, url }) => {
          const { error } = await resend.emails.send({
            from: env.EMAIL_FROM!,
            to: [identifier],
            subject: "Your Flowline sign-in link",
            text: `Sign in to Flowline: ${url}\n\nThe link works once and expires in 15 minutes.`,
          });
          if (error) {
            logger.error({ error: error.name }, "sending the sign-in link failed");
            throw new Error("The sign-in email could not be sent");
          }
        },
      }),
    );
  }
  if (env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET)
    providers.push(GoogleProvider({ clientId: env.GOOGLE_CLIENT_ID, clientSecret: env.GOOGLE_CLIENT_SECRET }));
  if (env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET)
    providers.push(GitHubProvider({ clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET }));
  return providers;
}

/** Which sign-in methods this server offers, for the sign-in page. */
export function enabledSignInMethods(env = getEnv()) {
  return {
    email: Boolean(env.RESEND_API_KEY && env.EMAIL_FROM),
    google: Boolean(env.GOOGLE_CLIENT_ID),
    github: Boolean(env.GITHUB_CLIENT_ID),
  };
}

export function buildAuthOptions(db: Db, env: Env): NextAuthOptions {
  // next-auth v4 builds its redirect URLs from NEXTAUTH_URL only; give it the address we serve on.
  process.env.NEXTAUTH_URL ??= env.appUrl;
  const extra = extraProviders(env);
  return {
    secret: env.authSecret,
    // Credentials sign-in only works with JWT sessions; the adapter is there for magic links and OAuth accounts.
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    // Secure, __Secure- prefixed cookies whenever the app is served over HTTPS (production).
    useSecureCookies: env.appUrl.startsWith("https://"),
    // Prisma 7 generates the client to our own path, which the adapter's types do not know.
    ...(extra.length > 0 ? { adapter: PrismaAdapter(db as unknown as Parameters<typeof PrismaAdapter>[0]) as Adapter } : {}),
    pages: { signIn: "/signin", error: "/signin" },
    logger: authLogger(),
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: async (credentials, request) => {
          try {
            return await verifyCredentials(db, credentials, clientAddress(request?.headers));
          } catch (error) {
            // next-auth hands a thrown message to the client as the error code of the attempt.
            if (error instanceof AppError) throw new Error(error.message);
            throw error;
          }
        },
      }),
      ...extra,
    ],
    callbacks: {
      session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub } }),
    },
  };
}

export async function authOptions(): Promise<NextAuthOptions> {
  return buildAuthOptions(await getDb(), getEnv());
}
