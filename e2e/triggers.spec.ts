import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { shot, signUp } from "./support/pages";

// "Listen for a test event" as a person uses it: a draft with a webhook trigger, a secret, then
// listening; a signed call from outside becomes the draft's sample payload (where the editor's
// variable picker reads it) and starts no run.

test("a webhook call while listening becomes the draft's sample payload and starts no run", async ({ page, request }) => {
  await signUp(page, {
    name: "Tess Trigger",
    email: `tess-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@triggers.test`,
    password: "a long enough password",
    company: "Trigger Works",
  });
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByLabel("Workflow name").fill("Orders in");
  await page.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  const workflowId = new URL(page.url()).pathname.split("/").pop()!;

  await page.getByRole("tab", { name: "Advanced: JSON" }).click();
  const definition = {
    trigger: { type: "webhook", config: {} },
    nodes: [{ id: "a", type: "core.noop", name: "a", config: {}, position: { x: 0, y: 0 } }],
    edges: [{ id: "e1", source: "trigger", target: "a" }],
  };
  await page.getByLabel("Definition (JSON)").fill(JSON.stringify(definition, null, 2));
  await expect(page.getByRole("status").filter({ hasText: /changes|Saving|saved/i })).toHaveText("All changes saved");
  await page.reload();

  await page.getByRole("button", { name: "Generate secret" }).click();
  await page.getByRole("button", { name: "Generate", exact: true }).click();
  const secret = await page.getByRole("dialog").getByRole("textbox").inputValue();
  await page.getByRole("button", { name: "Done" }).click();

  await page.getByRole("button", { name: "Listen for a test event" }).click();
  await expect(page.getByText(/^Listening: the next signed call/)).toBeVisible();
  await shot(page, "trigger-listening");

  const body = JSON.stringify({ order: "A-17", customer: { email: "ada@example.com" } });
  const id = `msg_${Date.now()}`;
  const at = new Date();
  const response = await request.post(`/api/hooks/${workflowId}`, {
    data: body,
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": new Webhook(secret).sign(id, at, body),
    },
  });
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ sample: true, runIds: [] });

  await expect(page.getByText("Sample captured")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText("Kept as the sample payload while listening; no run started")).toBeVisible();
  await expect(page.getByRole("button", { name: "Listen for a test event" })).toBeVisible();
  await page.getByRole("tab", { name: "Advanced: JSON" }).click();
  await expect(page.getByLabel("Definition (JSON)")).toHaveValue(/"samplePayload"[\s\S]*ada@example\.com/);
  await shot(page, "trigger-sample-captured");
});
