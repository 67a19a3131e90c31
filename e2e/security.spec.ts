import { expect, test, type Page } from "@playwright/test";
import { shot, signUp, type NewAccount } from "./support/pages";

// Issue 11 against the production build: security headers and a CSP that the app itself passes,
// the 413 toast for an oversized server action body, the audit log page, and sign-in throttling
// that a forged X-Forwarded-For does not get around.

// Each test signs up its own owner: Playwright loads this file again in the new worker it starts
// after a failure, so an account made by an earlier test would not be known to the tests after it.
const newOwner = (label: string): NewAccount => ({
  name: "Sam Secure",
  email: `sam-${label}-${Date.now()}@security.test`,
  password: "a long enough password",
  company: "Sam Safes",
});

async function signInAsOwner(page: Page, owner: NewAccount) {
  await page.goto("/signin");
  await page.getByLabel("Work email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/workflows/);
}

/** Collects Content-Security-Policy violations the browser reports. */
function cspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test("every response carries the security headers, and pages run under a nonce CSP without violations", async ({ page, request }) => {
  const violations = cspViolations(page);
  const response = await page.goto("/signin");
  const headers = response!.headers();
  const nonce = headers["content-security-policy"]?.match(/'nonce-([^']+)'/)?.[1];
  expect(nonce).toBeTruthy();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["strict-transport-security"]).toMatch(/max-age=\d+/);
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // Next.js put the nonce on its scripts; the page hydrated (the form works) with no violation
  const scriptNonces = await page.locator("script[src]").evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).nonce));
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
  // a second request gets a fresh nonce
  const again = (await request.get("/signin")).headers()["content-security-policy"]?.match(/'nonce-([^']+)'/)?.[1];
  expect(again).not.toBe(nonce);

  const script = await page.locator("script[src]").first().getAttribute("src");
  const asset = await request.get(script!);
  expect(asset.headers()["x-content-type-options"]).toBe("nosniff");
  const api = await request.get("/api/health");
  expect(api.headers()["x-content-type-options"]).toBe("nosniff");
  expect(api.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");

  await signUp(page, newOwner("csp"));
  await expect(page.getByRole("heading", { name: "No workflows yet" })).toBeVisible();
  expect(violations).toEqual([]);
});

async function createWorkflow(page: Page, name: string) {
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByLabel("Workflow name").fill(name);
  await page.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
}

test("a server action body over 1 MB answers 413 and the page says the limit in a toast", async ({ page }) => {
  await signUp(page, newOwner("413"));
  await createWorkflow(page, "Big payloads");

  await page.getByRole("button", { name: "Run now" }).click();
  const statuses: number[] = [];
  page.on("response", (response) => {
    if (response.request().method() === "POST" && response.request().headers()["next-action"]) statuses.push(response.status());
  });
  await page.getByLabel("Payload (JSON)").fill(JSON.stringify({ blob: "x".repeat(1_200_000) }));
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByText(/The request is larger than the 1 MB limit/)).toBeVisible();
  expect(statuses).toContain(413);
  await shot(page, "oversized-action-toast");
});

test("Settings > Audit log lists who did what, and filters by event", async ({ page }) => {
  const owner = newOwner("audit");
  await signUp(page, owner);
  await createWorkflow(page, "Audited flows");
  await page.goto("/settings/audit");
  const table = page.getByRole("table", { name: /Audit log entries/ });
  await expect(table.getByRole("row").filter({ hasText: "Workflow created" })).toContainText(owner.email);
  await expect(table.getByRole("row").filter({ hasText: "Company created" })).toBeVisible();
  await page.getByLabel("Event").selectOption("workflow.created");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=workflow\.created/);
  await expect(table.getByRole("row").filter({ hasText: "Company created" })).toHaveCount(0);
  await expect(table.getByRole("row").filter({ hasText: "Audited flows" })).toBeVisible();
  await shot(page, "audit-log");
});

test("a forged X-Forwarded-For per attempt does not reset the per-address sign-in limit", async ({ page, baseURL }) => {
  const owner = newOwner("forged");
  await signUp(page, owner);
  await page.context().clearCookies();
  // From a loopback address of its own, so the lock it provokes does not hold the address every
  // other spec (running at the same time) signs in from.
  const elsewhere = new URL(baseURL!);
  elsewhere.hostname = "127.0.0.2";
  // Six failures for six unknown emails, each claiming another address: the connection is the same.
  for (let i = 1; i <= 6; i++) {
    await page.setExtraHTTPHeaders({ "x-forwarded-for": `198.51.100.${i}` });
    await page.goto(new URL("/signin", elsewhere).toString());
    await page.getByLabel("Work email").fill(`nobody-${i}-${owner.email}`);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: /Invalid email or password|Too many failed attempts/ })).toBeVisible();
  }
  await page.setExtraHTTPHeaders({ "x-forwarded-for": "192.0.2.77" });
  await page.goto(new URL("/signin", elsewhere).toString());
  await page.getByLabel("Work email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /Too many failed attempts\. Try again in \d+ seconds/ })).toBeVisible();
  // The lock is the address's: the owner still signs in from the usual one.
  await page.setExtraHTTPHeaders({});
  await signInAsOwner(page, owner);
});
