import { z } from "zod";

// Resend's own variables are the server's (lib/config/env.ts: RESEND_API_KEY, RESEND_BASE_URL,
// EMAIL_FROM, shared with the sign-in links): EMAIL_FROM is the default sender of "Send email"
// and RESEND_BASE_URL points the SDK at the fake. The provider adds none.
export const resendEnv = z.object({});
