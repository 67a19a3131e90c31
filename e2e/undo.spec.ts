import { expect, test } from "@playwright/test";
import { shot, signUpWithApiKey } from "./support/pages";

// Undo on the run page, against the fake Slack the config starts (fakes/slack): a run posts a
// message and replies to it; "Undo effects" previews what it will do, and the worker deletes both.
// Then Settings > Policy blocks Slack, and publishing warns about the step it blocks.

const definition = {
  trigger: { type: "manual" },
  nodes: [
    {
      id: "post",
      type: "slack.send_message",
      name: "Announce invoice",
      config: { channel: "#general", text: "Invoice 12 is out" },
      position: { x: 0, y: 100 },
    },
    {
      id: "reply",
      type: "slack.reply_in_thread",
      name: "Mark paid",
      config: { channel: "#general", threadTs: "{{step.post.output.ts}}", text: "Paid" },
      position: { x: 0, y: 200 },
    },
  ],
  edges: [
    { id: "e1", source: "trigger", target: "post" },
    { id: "e2", source: "post", target: "reply" },
  ],
};

test("undo a run's Slack messages from its page, after a preview, then block Slack in Settings > Policy", async ({ page, request }) => {
  const key = await signUpWithApiKey(page, "undo");
  const headers = { Authorization: `Bearer ${key}` };

  await page.goto("/settings/integrations");
  await page.getByRole("link", { name: "Connect Slack" }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByText("Slack connected").first()).toBeVisible();

  const created = await request.post("/api/v1/workflows", { headers, data: { name: "Invoice announcements", definition } });
  expect(created.status()).toBe(201);
  const workflow = (await created.json()) as { id: string };
  expect((await request.post(`/api/v1/workflows/${workflow.id}/publish`, { headers, data: {} })).ok()).toBe(true);
  const started = await request.post(`/api/v1/workflows/${workflow.id}/runs`, { headers, data: {} });
  const runId = ((await started.json()) as { run: { id: string } }).run.id;
  await expect.poll(async () => ((await (await request.get(`/api/v1/runs/${runId}`, { headers })).json()) as { status: string }).status).toBe("succeeded");

  await page.goto(`/runs/${runId}`);
  const effects = page.getByRole("region", { name: "Effects" });
  await expect(effects.getByText("Will be undone")).toHaveCount(2);
  await page.getByRole("button", { name: "Undo effects" }).click();
  const dialog = page.getByRole("dialog", { name: "Undo this run's effects?" });
  await expect(dialog.getByText("Delete the Slack message in #general")).toHaveCount(2);
  await expect(dialog.getByText("Mark paid")).toBeVisible();
  await shot(page, "undo-preview");

  await dialog.getByRole("button", { name: "Undo 2 effects" }).click();
  await expect(effects.getByText(/^Undone at .* by rita-undo-/)).toHaveCount(2);
  await expect(page.getByRole("button", { name: "Undo effects" })).toBeDisabled();
  await expect(page.getByRole("region", { name: "Policy" })).toContainText("Blocked by the company: nothing");
  await shot(page, "undo-done");

  await page.goto("/settings");
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Policy" }).click();
  const policy = page.getByRole("form", { name: "Company policy" });
  await policy.getByRole("checkbox", { name: "Slack", exact: true }).uncheck();
  await expect(policy.getByRole("checkbox", { name: /Send message slack/ })).toBeDisabled();
  await policy.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByText("Policy saved").first()).toBeVisible();
  await shot(page, "policy-slack-blocked");

  const republished = await request.post(`/api/v1/workflows/${workflow.id}/publish`, { headers, data: {} });
  const warnings = ((await republished.json()) as { warnings: { nodeId: string; code: string }[] }).warnings;
  expect(warnings.map((w) => [w.nodeId, w.code])).toEqual([
    ["post", "policy_blocked"],
    ["reply", "policy_blocked"],
  ]);
});
