import { AsyncLocalStorage } from "node:async_hooks";
import { getServerSession } from "next-auth";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getEnv } from "@/lib/config/env";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { authOptions } from "@/lib/auth/options";
import type { Caller } from "@/lib/auth/roles";
import { callerForUser } from "@/lib/companies/members";

/** The company the user last switched to; always re-checked against their memberships. */
export const COMPANY_COOKIE = "flowline_company";

/** Secure whenever the app is served over HTTPS (production), like next-auth's own cookies, which follow NEXTAUTH_URL. */
export const companyCookieOptions = (appUrl = getEnv().appUrl) =>
  ({ httpOnly: true, sameSite: "lax", secure: appUrl.startsWith("https://"), path: "/", maxAge: 365 * 24 * 60 * 60 }) as const;

export async function rememberCompany(companyId: string): Promise<void> {
  if (scopedCaller()) return;
  (await cookies()).set(COMPANY_COOKIE, companyId, companyCookieOptions());
}

// Code that already knows who is calling (the operator CLI, tests of server actions) runs actions
// inside this scope instead of through a browser session.
const callerScope = new AsyncLocalStorage<Caller>();
export const runAsCaller = <T>(caller: Caller, fn: () => Promise<T>) => callerScope.run(caller, fn);
export const scopedCaller = () => callerScope.getStore();

export async function getSessionUserId(): Promise<string | null> {
  const session = await getServerSession(await authOptions());
  const id = (session?.user as { id?: unknown } | undefined)?.id;
  return typeof id === "string" ? id : null;
}

export async function getCaller(): Promise<Caller | null> {
  const scoped = scopedCaller();
  if (scoped) return scoped;
  const userId = await getSessionUserId();
  if (!userId) return null;
  const preferred = (await cookies()).get(COMPANY_COOKIE)?.value;
  return callerForUser(await getDb(), userId, preferred);
}

export async function requireCaller(): Promise<Caller> {
  const caller = await getCaller();
  if (!caller) throw new AppError("unauthenticated", "Sign in to continue", { remediation: "Sign in again; your session may have expired." });
  return caller;
}

/** For pages: the caller, or a redirect to sign in (or to create a company when they have none). */
export async function pageCaller(): Promise<Caller> {
  const scoped = scopedCaller();
  if (scoped) return scoped;
  const userId = await getSessionUserId();
  if (!userId) redirect("/signin");
  const preferred = (await cookies()).get(COMPANY_COOKIE)?.value;
  const caller = await callerForUser(await getDb(), userId, preferred);
  if (!caller) redirect("/onboarding");
  return caller;
}
