import { expect, test, type APIRequestContext } from "@playwright/test";
import { shot, signUpWithApiKey } from "./support/pages";

/** Publishes trigger → read → approval → book through the API and starts a run of it. */
async function startApprovalRun(request: APIRequestContext, key: string, name: string): Promise<string> {
  const headers = { Authorization: `Bearer ${key}` };
  const definition = {
    trigger: { type: "manual" },
    nodes: [
      { id: "read", type: "core.noop", name: "Read invoice", config: { value: "{{trigger.payload.invoice}}" }, position: { x: 0, y: 100 } },
      {
        id: "ask",
        type: "control.approval",
        name: "Approve",
        config: { message: "Pay invoice {{trigger.payload.invoice}}?", timeoutMs: 3_600_000 },
        position: { x: 0, y: 200 },
      },
      { id: "book", type: "core.noop", name: "Book it", config: { value: "booked" }, position: { x: 0, y: 300 } },
    ],
    edges: [
      { id: "e1", source: "trigger", target: "read" },
      { id: "e2", source: "read", target: "ask" },
      { id: "e3", source: "ask", sourceHandle: "approved", target: "book" },
    ],
  };
  const created = await request.post("/api/v1/workflows", { headers, data: { name, definition } });
  expect(created.status()).toBe(201);
  const workflow = (await created.json()) as { id: string };
  expect((await request.post(`/api/v1/workflows/${workflow.id}/publish`, { headers, data: {} })).ok()).toBe(true);
  const started = await request.post(`/api/v1/workflows/${workflow.id}/runs`, { headers, data: { payload: { invoice: "INV-1042" } } });
  expect(started.status()).toBe(202);
  return ((await started.json()) as { run: { id: string } }).run.id;
}

test("a run waiting for approval is approved on its page and succeeds there without a reload", async ({ page, request }) => {
  const key = await signUpWithApiKey(page, "approve");
  const runId = await startApprovalRun(request, key, "Invoice approval");

  await page.goto("/runs");
  await page.getByRole("link", { name: "Invoice approval" }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Run of Invoice approval");
  const status = page.locator("[aria-live=polite]").filter({ hasText: "Status" });
  await expect(status).toContainText("Waiting");
  const steps = page.getByRole("list", { name: "Steps" });
  await expect(steps.getByRole("listitem")).toHaveCount(2);
  await expect(page.getByText("Pay invoice INV-1042?", { exact: true })).toBeVisible();
  await shot(page, "run-waiting");

  // Any reload would replace this marker; the page has to update in place.
  await page.evaluate(() => Object.assign(window, { __stillThisPage: true }));
  await page.getByLabel("Comment (optional)").fill("Checked against the order");
  await page.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(status).toContainText("Succeeded");
  await expect(steps.getByRole("listitem")).toHaveCount(3);
  await expect(page.getByRole("button", { name: "Approve", exact: true })).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __stillThisPage?: boolean }).__stillThisPage)).toBe(true);

  // Steps show the node's name, with its id in small text.
  await expect(steps.getByText("ask", { exact: true })).toBeVisible();
  await steps.getByText("Approve", { exact: true }).click();
  await expect(page.getByLabel("Output of Approve")).toContainText('"decision": "approved"');
  await expect(page.getByLabel("Output of Approve")).toContainText("Checked against the order");
  await shot(page, "run-approved");

  // A finished run can start again on the latest version, with the same payload.
  await page.getByRole("button", { name: "Run again on latest version" }).click();
  await expect(page).not.toHaveURL(new RegExp(`/runs/${runId}$`));
  await expect(page.locator("[aria-live=polite]").filter({ hasText: "Status" })).toContainText("Waiting");
  await expect(page.getByText("Pay invoice INV-1042?", { exact: true })).toBeVisible();
});

test("an approval link opened without a session rejects once, and then no longer works", async ({ page, browser, request }) => {
  const key = await signUpWithApiKey(page, "link");
  const runId = await startApprovalRun(request, key, "Refund approval");

  await page.goto(`/runs/${runId}`);
  const status = page.locator("[aria-live=polite]").filter({ hasText: "Status" });
  await expect(status).toContainText("Waiting");
  await page.getByRole("button", { name: "Copy approval link" }).click();
  const link = await page.getByRole("textbox", { name: "Approval link", exact: true }).inputValue();
  expect(link).toMatch(/\/approve\/[^/?]+\?token=[\w-]+$/);

  const guest = await (await browser.newContext()).newPage();
  await guest.goto(link);
  await expect(guest.getByRole("heading", { name: "Approve or reject" })).toBeVisible();
  await expect(guest.getByText("Refund approval")).toBeVisible();
  await expect(guest.getByText("Pay invoice INV-1042?")).toBeVisible();
  await shot(guest, "approval-link");
  await guest.getByLabel("Comment (optional)").fill("Not ours");
  await guest.getByRole("button", { name: "Reject", exact: true }).click();
  await expect(guest.getByRole("status")).toHaveText("Rejected. The run continues without approval.");

  // The run page, still open in the company's browser, follows the decision on its own.
  await expect(status).toContainText("Succeeded");
  const run = (await (await request.get(`/api/v1/runs/${runId}`, { headers: { Authorization: `Bearer ${key}` } })).json()) as {
    steps: { nodeId: string; status: string; output: { decision?: string; comment?: string } | null }[];
  };
  expect(run.steps.find((step) => step.nodeId === "ask")?.output).toMatchObject({ decision: "rejected", comment: "Not ours" });
  expect(run.steps.find((step) => step.nodeId === "book")?.status).toBe("skipped");

  await guest.goto(link);
  await expect(guest.getByRole("heading", { name: "This approval link is no longer valid" })).toBeVisible();
  await expect(guest.getByRole("button", { name: "Approve", exact: true })).toHaveCount(0);
});
