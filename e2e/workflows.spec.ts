import { expect, test, type Page } from "@playwright/test";
import { shot, signUp } from "./support/pages";

async function signUpAndCreateWorkflow(page: Page, name: string) {
  await signUp(page, {
    name: "Wilma Workflow",
    email: `wilma-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@workflows.test`,
    password: "a long enough password",
    company: "Workflow Works",
  });
  await expect(page.getByRole("heading", { name: "No workflows yet" })).toBeVisible();

  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByLabel("Workflow name").fill(name);
  await page.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

/** Types the whole definition into the editor's JSON tab; the editor saves it on its own. */
async function saveDraft(page: Page, definition: unknown) {
  await page.getByRole("tab", { name: "Advanced: JSON" }).click();
  await page.getByLabel("Definition (JSON)").fill(JSON.stringify(definition, null, 2));
  await expect(page.getByRole("status").filter({ hasText: /changes|Saving|saved/i })).toHaveText("All changes saved");
}

const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({ id, type, name: id, config, position: { x: 0, y: 0 } });

test("an admin creates a workflow, saves a two-step draft, publishes version 1 and enables it", async ({ page }) => {
  await signUpAndCreateWorkflow(page, "Two steps");
  await expect(page.getByRole("button", { name: "Enable" })).toBeDisabled();

  await saveDraft(page, {
    trigger: { type: "manual" },
    nodes: [node("a", "core.noop"), node("b", "core.noop")],
    edges: [
      { id: "e1", source: "trigger", target: "a" },
      { id: "e2", source: "a", target: "b" },
    ],
  });
  await expect(page.getByText("No problems in the saved draft.")).toBeVisible();
  await page.getByRole("tab", { name: "Table" }).click();
  const nodes = page.getByRole("table", { name: "Nodes of the draft" });
  await expect(nodes.getByRole("row")).toHaveCount(3);
  await expect(nodes.getByRole("row", { name: /^a core\.noop/ })).toContainText("b");

  await page.getByRole("button", { name: "Publish" }).click();
  const review = page.getByRole("dialog", { name: "Publish the first version?" });
  await expect(review).toContainText("this is the first version");
  await review.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.getByText("Published version 1")).toBeVisible();
  const version = page.getByRole("table", { name: "Published versions of this workflow" }).getByRole("row", { name: /Version 1/ });
  await expect(version).toContainText("Published");
  await expect(page.getByRole("button", { name: "Restore version 1 to draft" })).toBeVisible();
  await expect(page.getByText("Published v1", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Enable" }).click();
  await expect(page.getByText("Workflow enabled")).toBeVisible();
  await expect(page.getByRole("button", { name: "Disable" })).toBeVisible();
  await expect(page.getByText("Enabled", { exact: true })).toBeVisible();
  await shot(page, "workflow-published");

  await page.getByRole("link", { name: "Workflows", exact: true }).first().click();
  await expect(page.getByRole("row", { name: /Two steps/ })).toContainText("Published v1");
});

test("a draft may leave an IF without its condition, but publishing it is refused", async ({ page, context }) => {
  await signUpAndCreateWorkflow(page, "Unfinished check");
  // A second tab still showing the empty draft, whose Publish button does not know about the edit below.
  const stale = await context.newPage();
  await stale.goto(page.url());
  await expect(stale.getByRole("button", { name: "Publish", exact: true })).toBeEnabled();

  await saveDraft(page, {
    trigger: { type: "manual" },
    nodes: [node("check", "control.if")],
    edges: [{ id: "e1", source: "trigger", target: "check" }],
  });
  const problems = page.getByRole("region", { name: "Problems" });
  await expect(problems.getByRole("status")).toHaveText("1 warning");
  await expect(problems.getByRole("listitem")).toContainText('Warning: "condition" is required');
  await expect(problems.getByRole("listitem")).toContainText("nodes[0].config.condition");
  await expect(problems.getByRole("listitem")).toContainText("Blocks publishing");
  const publish = page.getByRole("button", { name: "Publish", exact: true });
  await expect(publish).toBeDisabled();
  await expect(publish).toHaveAccessibleDescription(/Fix 1 problem to publish/);
  await shot(page, "workflow-blocked");

  await stale.getByRole("button", { name: "Publish", exact: true }).click();
  const refusal = stale.getByRole("dialog", { name: "Not published" });
  await expect(refusal).toContainText('Error: "condition" is required');
  await expect(refusal).toContainText("nodes[0].config.condition");
  await shot(stale, "workflow-publish-refused");

  await page.reload();
  await expect(page.getByText("Draft only", { exact: true })).toBeVisible();
  await expect(page.getByText("No versions yet.")).toBeVisible();
});
