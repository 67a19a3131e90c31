import { NextResponse } from "next/server";
import { requireCaller, scopedCaller } from "@/lib/auth/session";
import type { Caller } from "@/lib/auth/roles";
import { getEnv } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { toAppError } from "@/lib/http/route";

// Helpers for the browser-facing OAuth routes: they act for the signed-in person (a session
// cookie), never for an API key, and they answer with redirects back to Settings > Integrations.

export const SETTINGS_PATH = "/settings/integrations";

/** The signed-in caller; without a session cookie, 401 before anything else is looked at. */
export async function requireSessionCaller(request: Request): Promise<Caller> {
  if (scopedCaller()) return requireCaller();
  const cookie = request.headers.get("cookie") ?? "";
  if (!/(^|;\s*)(__Secure-)?next-auth\.session-token(\.\d+)?=/.test(cookie)) {
    throw new AppError("unauthenticated", "Sign in to connect an account", { remediation: "Sign in, then connect from Settings > Integrations." });
  }
  return requireCaller();
}

/**
 * Back to the settings page with ?connected=<app> or ?error=<message>, which the page shows as a
 * toast; ?choose=<connection> opens its account choice (a connection that could act for several).
 */
export function backToSettings(outcome: { connected: string; choose?: string } | { error: unknown }): NextResponse {
  const url = new URL(SETTINGS_PATH, getEnv().appUrl);
  if ("connected" in outcome) {
    url.searchParams.set("connected", outcome.connected);
    if (outcome.choose) url.searchParams.set("choose", outcome.choose);
  } else {
    const error = toAppError(outcome.error);
    url.searchParams.set("error", error.message.slice(0, 200));
    if (error.remediation) url.searchParams.set("remediation", error.remediation.slice(0, 200));
  }
  return NextResponse.redirect(url, { status: 303 });
}
