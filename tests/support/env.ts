// Tests change the app's settings through process.env; the parsed env is cached, so drop it.
const envCache = globalThis as unknown as { __flowlineEnv?: unknown };

export function setTestEnv(vars: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  envCache.__flowlineEnv = undefined;
}

/** Points inbound email and sending at a fake Resend (with any other settings); returns the undo. */
export function setFakeResendEnv(fake: { apiKey: string; url: string; webhookSecret: string }, domain: string, more: Record<string, string> = {}): () => void {
  const vars = {
    RESEND_API_KEY: fake.apiKey,
    RESEND_BASE_URL: fake.url,
    RESEND_WEBHOOK_SECRET: fake.webhookSecret,
    INBOUND_EMAIL_DOMAIN: domain,
    EMAIL_FROM: "Flowline <noreply@flowline.test>",
    ...more,
  };
  setTestEnv(vars);
  return () => setTestEnv(Object.fromEntries(Object.keys(vars).map((name) => [name, undefined])));
}
