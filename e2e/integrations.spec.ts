import { expect, test } from "@playwright/test";
import { shot, signUp } from "./support/pages";

// Settings > Integrations against the fake Slack the config starts (fakes/slack): connect through
// its consent page, see the connection, use its controls, disconnect.

test("connect Slack from Settings > Integrations through the consent page, then disconnect", async ({ page }) => {
  await signUp(page, { name: "Katherine Johnson", email: `katherine-${Date.now()}@nasa.test`, password: "orbital mechanics", company: "Langley Research" });

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
  await expect(connections.getByText("Connected", { exact: true })).toBeVisible();
  await expect(connections.getByText("Company default")).toBeVisible();
  // the page never carries key material
  expect(await page.content()).not.toMatch(/xox[bpe]-fake-/);
  await shot(page, "integrations-connected");

  await page.getByRole("button", { name: "Test Fake Workspace" }).click();
  await expect(page.getByText("The connection works")).toBeVisible();
  await page.getByRole("button", { name: "Pause Fake Workspace" }).click();
  await expect(connections.getByText("Paused", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Resume Fake Workspace" }).click();
  await expect(connections.getByText("Connected", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Disconnect Fake Workspace" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByText("Slack disconnected")).toBeVisible();
  await expect(page.getByText("No Slack account connected yet.")).toBeVisible();
});

test("a refused consent comes back as an error toast and connects nothing", async ({ page }) => {
  await signUp(page, { name: "Dorothy Vaughan", email: `dorothy-${Date.now()}@nasa.test`, password: "fortran for everyone", company: "West Computing" });
  await page.goto("/settings/integrations");
  await page.getByRole("link", { name: "Connect Slack" }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByText("Slack access was not allowed")).toBeVisible();
  await expect(page.getByText("No Slack account connected yet.")).toBeVisible();
});
