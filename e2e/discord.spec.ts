import { expect, test } from "@playwright/test";
import { fakeDiscordURL } from "../playwright.config";
import { shot, signUp } from "./support/pages";

// Discord against the fake the config starts (fakes/discord): "add to server" on its consent page
// (choosing the server there), the company's default channel in Settings, then a workflow's own
// channel and pause in its Connections, each value saying where it comes from.

test("install the Discord bot in a chosen server, set the company's channel, override it on one workflow, pause it there", async ({ page, request }) => {
  const stamp = Date.now();
  await signUp(page, { name: "Ada Lovelace", email: `ada-${stamp}@engines.test`, password: "analytical engine 1843", company: "Babbage & Co" });

  await page.goto("/settings/api-keys");
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByLabel("Key name").fill("e2e discord");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByRole("textbox", { name: "API key", exact: true }).inputValue();
  const headers = { Authorization: `Bearer ${key}` };
  const definition = {
    trigger: { type: "manual" },
    nodes: [{ id: "post", type: "discord.send_message", name: "Tell the team", config: { content: "Invoice sent" }, position: { x: 0, y: 100 } }],
    edges: [{ id: "e1", source: "trigger", target: "post" }],
  };
  const created = await request.post("/api/v1/workflows", { headers, data: { name: "Invoices to Discord", definition } });
  expect(created.status()).toBe(201);
  const workflow = (await created.json()) as { id: string };

  await page.goto("/settings/integrations");
  await page.getByRole("link", { name: "Connect Discord" }).click();
  await expect(page.getByRole("heading", { name: "Flowline wants to add its bot to a server" })).toBeVisible();
  await expect(page.getByText("Create Public Threads")).toBeVisible();
  await page.getByLabel("Add to server").selectOption({ label: "Fake Server (1100000000000000001)" });
  await shot(page, "discord-consent");
  await page.getByRole("button", { name: "Authorize" }).click();

  await expect(page).toHaveURL(/\/settings\/integrations/);
  const connections = page.getByRole("list", { name: "Discord connections" });
  await expect(connections.getByText("Fake Server", { exact: true })).toBeVisible();
  // The server was chosen on Discord's page: nothing asks again.
  await expect(page.getByRole("dialog")).toBeHidden();

  await page.getByRole("button", { name: "Default channel of Fake Server (1100000000000000001)" }).click();
  const dialog = page.getByRole("dialog", { name: /Default channel of Fake Server/ });
  await dialog.getByLabel("Channel").selectOption({ label: "#general" });
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Default channel saved")).toBeVisible();
  await expect(connections.getByText("1100000000000000101")).toBeVisible();

  await page.goto(`/workflows/${workflow.id}`);
  const discord = page.getByRole("listitem", { name: "Discord on this workflow" });
  await expect(discord.getByText("Inherited from the company")).toHaveCount(2);
  await expect(discord.getByLabel("Default channel")).toContainText("The company's: #general");
  await discord.getByLabel("Default channel").selectOption({ label: "#announcements" });
  await discord.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Discord settings of this workflow saved")).toBeVisible();
  await expect(discord.getByText("Set on this workflow")).toBeVisible();
  await expect(discord.getByText("Inherited from the company")).toHaveCount(1);
  await shot(page, "discord-workflow-connections");

  // A run posts in the workflow's own channel.
  expect((await request.post(`/api/v1/workflows/${workflow.id}/publish`, { headers, data: {} })).ok()).toBe(true);
  expect((await request.post(`/api/v1/workflows/${workflow.id}/runs`, { headers, data: { payload: {} } })).status()).toBe(202);
  await expect
    .poll(async () => {
      const calls = (await (await request.get(`${fakeDiscordURL}/__fake/calls?method=createMessage`)).json()) as { calls: { params: { path: string } }[] };
      return calls.calls.map((c) => c.params.path);
    })
    .toContain("/channels/1100000000000000102/messages");

  await discord.getByRole("button", { name: "Pause on this workflow" }).click();
  await expect(discord.getByText("Paused on this workflow")).toBeVisible();
  await shot(page, "discord-workflow-paused");

  await page.goto("/settings/integrations");
  const overrides = page.getByRole("list", { name: "Workflows with their own Discord settings" });
  await expect(overrides.getByRole("link", { name: "Invoices to Discord" })).toBeVisible();
  await expect(overrides.getByText(/channel 1100000000000000102: Set on this workflow · paused on this workflow/)).toBeVisible();
  await shot(page, "discord-settings-overrides");
});
