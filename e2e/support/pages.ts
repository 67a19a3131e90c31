import { expect, type Page } from "@playwright/test";

// What several specs do the same way: sign up through the form, and keep a screenshot to look at.

export type NewAccount = { name: string; email: string; password: string; company: string };

/** Fills the sign-up form and submits it (the page must be on /signup). */
export async function fillSignUp(page: Page, account: NewAccount): Promise<void> {
  await page.getByLabel("Your name").fill(account.name);
  await page.getByLabel("Work email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByLabel("Company name").fill(account.company);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** A new owner and company, signed in and on the workflows page. */
export async function signUp(page: Page, account: NewAccount): Promise<void> {
  await page.goto("/signup");
  await fillSignUp(page, account);
  await expect(page).toHaveURL(/\/workflows/);
}

/** A fresh owner with an API key made in Settings > API keys, as a person would. */
export async function signUpWithApiKey(page: Page, label: string): Promise<string> {
  const stamp = Date.now();
  await signUp(page, { name: "Rita Runner", email: `rita-${label}-${stamp}@runs.test`, password: "a long enough password", company: "Rita Freight" });

  await page.goto("/settings/api-keys");
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByLabel("Key name").fill("e2e runs");
  await page.getByRole("button", { name: "Create key" }).click();
  return page.getByRole("textbox", { name: "API key", exact: true }).inputValue();
}

export const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
