import { expect, test, type Page } from "@playwright/test";

// Settings > Integrations against the fake Slack the config starts (fakes/slack): connect through
// its consent page, see the connection, use its controls, disconnect.

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });

test("connect Slack from Settings > Integrations through the consent page, then disconnect", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Katherine Johnson");
  await page.getByLabel("Work email").fill(`katherine-${Date.now()}@nasa.test`);
  await page.getByLabel("Password").fill("orbital mechanics");
  await page.getByLabel("Company name").fill("Langley Research");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/workflows/);

  await page.goto("/settings");
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Integrations" }).click();
  await expect(page).toHaveURL(/\/settings\/integrations$/);
  await expect(page.getByText("No Slack account connected yet.")).toBeVisible();
  await shot(page, "integrations-empty");

  await page.getByRole("link", { name: "Connect Slack" }).click();
  await expect(page.getByRole("heading", { name: /requesting permission/ })).toBeVisible();
  await expect(page.getByText("chat:write")).toBeVisible();
  await page.getByRole("button", { name: "Allow" }).click();

  await expect(page).toHaveURL(/\/settings\/integrations/);
  await expect(page.getByText("Slack connected").first()).toBeVisible();
  const connections = page.getByRole("list", { name: "Slack connections" });
  await expect(connections.getByText("Fake Workspace")).toBeVisible();
  await expect(connections.getByText("Connected")).toBeVisible();
  await expect(connections.getByText("Company default")).toBeVisible();
  // the page never carries key material
  expect(await page.content()).not.toMatch(/xox[bpe]-fake-/);
  await shot(page, "integrations-connected");

  await page.getByRole("button", { name: "Test Fake Workspace" }).click();
  await expect(page.getByText("The connection works")).toBeVisible();
  await page.getByRole("button", { name: "Pause Fake Workspace" }).click();
  await expect(connections.getByText("Paused")).toBeVisible();
  await page.getByRole("button", { name: "Resume Fake Workspace" }).click();
  await expect(connections.getByText("Connected")).toBeVisible();

  await page.getByRole("button", { name: "Disconnect Fake Workspace" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByText("Slack disconnected")).toBeVisible();
  await expect(page.getByText("No Slack account connected yet.")).toBeVisible();
});

test("a refused consent comes back as an error toast and connects nothing", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Dorothy Vaughan");
  await page.getByLabel("Work email").fill(`dorothy-${Date.now()}@nasa.test`);
  await page.getByLabel("Password").fill("fortran for everyone");
  await page.getByLabel("Company name").fill("West Computing");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/workflows/);
  await page.goto("/settings/integrations");
  await page.getByRole("link", { name: "Connect Slack" }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByText("Slack access was not allowed")).toBeVisible();
  await expect(page.getByText("No Slack account connected yet.")).toBeVisible();
});
