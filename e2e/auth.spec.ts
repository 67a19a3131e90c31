import { expect, test, type Page } from "@playwright/test";
import { fillSignUp, shot } from "./support/pages";

const person = { name: "Grace Hopper", email: `grace-${Date.now()}@navy.test`, password: "compilers are great", company: "Harvard Mark I" };

/** The form with Grace's details, some replaced. */
const fillAs = (page: Page, values: Partial<typeof person>) => fillSignUp(page, { ...person, ...values });

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/signin");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a signed-out visitor is sent to sign in", async ({ page }) => {
  await page.goto("/workflows");
  await expect(page).toHaveURL(/\/signin/);
  await shot(page, "signin");
});

test("bad sign-up input gets a message on each field and creates nothing", async ({ page }) => {
  await page.goto("/signup");
  await fillAs(page, { email: "not-an-email", password: "short", company: "x" });
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Use at least 10 characters")).toBeVisible();
  await expect(page.getByText("Company name needs at least 2 characters")).toBeVisible();
  await expect(page.getByLabel("Work email")).toHaveAttribute("aria-invalid", "true");
  await shot(page, "signup-errors");
  await expect(page).toHaveURL(/\/signup/);
});

test("sign up, sign out and sign in again, in a real browser", async ({ page }) => {
  await page.goto("/signup");
  await fillAs(page, {});
  await expect(page).toHaveURL(/\/workflows/);
  await expect(page.getByRole("heading", { name: "No workflows yet" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workflows" })).toHaveAttribute("aria-current", "page");
  await shot(page, "dashboard-empty");

  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);

  await signIn(page, person.email, "wrong password!");
  await expect(page.getByRole("alert").filter({ hasText: "Invalid email or password" })).toBeVisible();
  await shot(page, "signin-wrong-password");

  await signIn(page, "nobody-here@navy.test", person.password);
  await expect(page.getByRole("alert").filter({ hasText: "Invalid email or password" })).toBeVisible();

  await signIn(page, person.email, person.password);
  await expect(page).toHaveURL(/\/workflows/);
  await expect(page.getByRole("button", { name: "Switch company" })).toContainText(person.company);
});

test("a second sign-up with the same email is refused on the email field", async ({ page }) => {
  const email = `twice-${Date.now()}@navy.test`;
  await page.goto("/signup");
  await fillAs(page, { email });
  await expect(page).toHaveURL(/\/workflows/);
  await page.context().clearCookies();
  await page.goto("/signup");
  await fillAs(page, { email, company: "Another Company" });
  await expect(page.getByText("An account with this email already exists")).toBeVisible();
  await expect(page).toHaveURL(/\/signup/);
});

test("settings: create an API key shown once, and use it against the API", async ({ page, request }) => {
  const company = "Key Holders";
  await page.goto("/signup");
  await fillAs(page, { email: `keys-${Date.now()}@navy.test`, company });
  await expect(page).toHaveURL(/\/workflows/);
  await page.goto("/settings/api-keys");
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByLabel("Key name").fill("e2e key");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByRole("textbox", { name: "API key", exact: true }).inputValue();
  expect(key).toMatch(/^fl_/);
  await shot(page, "api-key-created");
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("button", { name: "Revoke e2e key" })).toBeVisible();

  const me = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${key}` } });
  expect((await me.json()).company.name).toBe(company);
});

test("health reports the embedded database, current migrations and the version, without secrets", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  const health = await response.json();
  expect(health).toMatchObject({
    database: { kind: "embedded", reachable: true },
    migrations: { current: true, pending: [] },
    worker: { host: "embedded", status: "alive" },
  });
  expect(JSON.stringify(health)).not.toMatch(/secret|token|key/i);
});
