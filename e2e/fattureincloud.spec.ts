import { expect, test } from "@playwright/test";
import { shot, signUp } from "./support/pages";

// Connecting Fatture in Cloud against the fake the config starts (fakes/fattureincloud): its
// consent page, then the company choice Settings opens by itself (the fake user has two).

test("connect Fatture in Cloud through the consent page, pick the company, see it connected; switch later", async ({ page }) => {
  await signUp(page, { name: "Grazia Deledda", email: `grazia-${Date.now()}@nuoro.test`, password: "canne al vento 1926", company: "Deledda Editrice" });
  await page.goto("/settings/integrations");
  await expect(page.getByText("No Fatture in Cloud account connected yet.")).toBeVisible();

  await page.getByRole("link", { name: "Connect Fatture in Cloud" }).click();
  await expect(page.getByRole("heading", { name: /Flowline chiede di accedere/ })).toBeVisible();
  await expect(page.getByText("issued_documents.invoices:a")).toBeVisible();
  await shot(page, "fattureincloud-consent");
  await page.getByRole("button", { name: "Autorizza" }).click();

  await expect(page).toHaveURL(/\/settings\/integrations/);
  const dialog = page.getByRole("dialog", { name: "Choose the Fatture in Cloud company" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText("Rossi Consulenze S.r.l.")).toBeVisible();
  await shot(page, "fattureincloud-choose-company");
  await dialog.getByText("Bianchi Design di Luca Bianchi").click();
  await dialog.getByRole("button", { name: "Use this company" }).click();
  await expect(page.getByText("Fatture in Cloud now acts for Bianchi Design di Luca Bianchi")).toBeVisible();
  await expect(dialog).toBeHidden();

  const connections = page.getByRole("list", { name: "Fatture in Cloud connections" });
  await expect(connections.getByText("Bianchi Design di Luca Bianchi")).toBeVisible();
  await expect(connections.getByText("Connected", { exact: true })).toBeVisible();
  await expect(connections.getByText("1000002", { exact: true })).toBeVisible();
  await expect(connections.getByText(/connected by Grazia Deledda/)).toBeVisible();
  expect(await page.content()).not.toMatch(/[ar]\/fake\d+\./);
  await shot(page, "fattureincloud-connected");

  // switching back, from the row
  await page.getByRole("button", { name: /Choose the company of Bianchi Design/ }).click();
  await dialog.getByText("Rossi Consulenze S.r.l.").click();
  await dialog.getByRole("button", { name: "Use this company" }).click();
  await expect(connections.getByText("Rossi Consulenze S.r.l.")).toBeVisible();

  await page.getByRole("button", { name: "Test Rossi Consulenze S.r.l. (1000001)" }).click();
  await expect(page.getByText("The connection works")).toBeVisible();
});
