import { expect, test } from "@playwright/test";
import { signUp } from "./support/pages";

test("an owner invites by link; the invitee signs up from it and lands in that company as member", async ({ page, browser }) => {
  const stamp = Date.now();
  await signUp(page, { name: "Owner Olga", email: `olga-${stamp}@invite.test`, password: "a long enough password", company: "Olga Logistics" });

  await page.goto("/settings/members");
  await page.getByRole("button", { name: "Create invite link" }).click();
  const link = await page.getByRole("textbox", { name: "Invite link", exact: true }).inputValue();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);

  const guest = await (await browser.newContext()).newPage();
  await guest.goto(link);
  await expect(guest.getByRole("heading", { name: "Join Olga Logistics as member" })).toBeVisible();
  await guest.getByRole("link", { name: "Create an account" }).click();
  await expect(guest.getByLabel("Company name")).toHaveCount(0);
  await guest.getByLabel("Your name").fill("Guest Gino");
  await guest.getByLabel("Work email").fill(`gino-${stamp}@invite.test`);
  await guest.getByLabel("Password").fill("another long password");
  await guest.getByRole("button", { name: "Create account" }).click();
  await expect(guest).toHaveURL(/\/workflows/);
  await expect(guest.getByRole("button", { name: "Switch company" })).toContainText("Olga Logistics");
  await guest.screenshot({ path: "test-results/screens/invitee-dashboard.png" });

  await page.reload();
  await expect(page.getByText(`gino-${stamp}@invite.test`)).toBeVisible();

  // the link was used up
  await guest.goto(link);
  await expect(guest.getByRole("heading", { name: "This invite link is no longer valid" })).toBeVisible();
});
