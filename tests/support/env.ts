// Tests change the app's settings through process.env; the parsed env is cached, so drop it.
const envCache = globalThis as unknown as { __flowlineEnv?: unknown };

export function setTestEnv(vars: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  envCache.__flowlineEnv = undefined;
}
