import { expect, test, type Locator, type Page } from "@playwright/test";
import { shot, signUp } from "./support/pages";

// The workflow editor, used as a new user would: no JSON typed, steps added from the palette,
// configured in their modals, the channel picked from Slack (the fake the config starts).

/** The same screen in the light and the dark theme (the app follows the system's). */
async function shots(page: Page, name: string) {
  await shot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveClass(/dark/);
  await shot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: "light" });
  await expect(page.locator("html")).not.toHaveClass(/dark/);
}

const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

async function newWorkflow(page: Page, name: string) {
  await page.goto("/workflows");
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByLabel("Workflow name").fill(name);
  await page.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(page.getByRole("group", { name: /^Trigger/ })).toBeVisible();
}

async function connectSlack(page: Page) {
  await page.goto("/settings/integrations");
  await page.getByRole("link", { name: "Connect Slack" }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByText("Slack connected").first()).toBeVisible();
}

/** A text field of a modal by its label (the label may end in "(required)"). */
const text = (modal: Locator, label: string) => modal.getByRole("textbox", { name: new RegExp(`^${label}`) });

const node = (page: Page, name: string) => page.locator(".react-flow__node").filter({ has: page.getByText(name, { exact: true }) });

/** Adds a step from the palette after a node's output, then returns its open modal. */
async function addAfter(page: Page, button: string, search: string, pick: string): Promise<Locator> {
  await page.getByRole("button", { name: button }).click();
  const palette = page.getByRole("dialog", { name: "Add a step" });
  await palette.getByRole("combobox").fill(search);
  await palette.getByRole("option", { name: new RegExp(`^${pick}`) }).click();
  return page.getByRole("dialog").filter({ has: page.getByRole("button", { name: "Apply" }) });
}

async function insertVariable(modal: Locator, page: Page, field: string, path: string, screenshot?: string) {
  await modal.getByRole("button", { name: `Insert a variable into ${field}` }).click();
  if (screenshot) await shots(page, screenshot);
  await page.getByPlaceholder("Search variables…").fill(path);
  await page
    .getByRole("option", { name: new RegExp(path.replace(/\./g, "\\.")) })
    .first()
    .click();
}

async function pickChannel(modal: Locator, page: Page) {
  await modal.getByRole("button", { name: "Choose Channel" }).click();
  await page.getByPlaceholder("Search channel…").fill("gen");
  await page.getByRole("option", { name: /#general/ }).click();
  await expect(text(modal, "Channel")).toHaveValue("C0GENERAL");
}

const saved = (page: Page) => expect(page.getByRole("status").filter({ hasText: /changes saved|Unsaved|Saving/ })).toHaveText("All changes saved");

test("build the approval workflow on the canvas, publish it, run it, approve, and see the run on the graph", async ({ page }) => {
  // The whole journey of a new user in one test (sign-up, Slack, six steps through their forms,
  // publish, run, approve): ~55 s on a quiet machine, over the default 60 s as soon as it is not.
  test.setTimeout(150_000);
  await signUp(page, { name: "Edith Editor", email: `edith-${unique()}@editor.test`, password: "a long enough password", company: "Canvas Co" });
  await connectSlack(page);
  await newWorkflow(page, "Big requests");
  await shot(page, "editor-empty");

  let modal = await addAfter(page, "Add a step after Manual: Start", "message", "Send message Posts a message to a Slack");
  await text(modal, "Name").fill("Announce");
  await pickChannel(modal, page);
  await text(modal, "Message").fill("New request of ");
  await insertVariable(modal, page, "Message", "trigger.payload.amount", "editor-variable-picker");
  await expect(text(modal, "Message")).toHaveValue("New request of {{trigger.payload.amount}}");
  await modal.getByRole("button", { name: "Apply" }).click();

  modal = await addAfter(page, "Add a step after Announce: Next", "if", "If");
  await text(modal, "Name").fill("Over 1,000?");
  await insertVariable(modal, page, "Value", "trigger.payload.amount");
  await modal.getByLabel("Comparison").selectOption("gt");
  await modal.getByLabel("Compared with").fill("1000");
  await modal.getByRole("button", { name: "Apply" }).click();

  modal = await addAfter(page, "Add a step after Over 1,000?: True", "approval", "Approval");
  await text(modal, "Name").fill("Manager approves");
  await text(modal, "Message").fill("Approve {{trigger.payload.amount}}?");
  await modal.getByLabel("Decide within").fill("1");
  await modal.getByLabel("Unit").selectOption("days");
  await shots(page, "editor-modal");
  await modal.getByRole("button", { name: "Apply" }).click();

  modal = await addAfter(page, "Add a step after Over 1,000?: False", "wait", "Wait");
  await modal.getByLabel("Wait for").fill("1");
  await modal.getByLabel("Unit").selectOption("seconds");
  await modal.getByRole("button", { name: "Apply" }).click();

  modal = await addAfter(page, "Add a step after Manager approves: Approved", "status", "Notify run status Posts a message about the current run");
  await text(modal, "Name").fill("Tell the status");
  await pickChannel(modal, page);
  await text(modal, "Message").fill("Request handled");
  await modal.getByRole("button", { name: "Apply" }).click();

  await page.getByRole("button", { name: "Tidy up" }).click();
  // Wait → status, by dragging from the Wait's output handle to the status step's input.
  await node(page, "Wait").locator(".react-flow__handle.source").dragTo(node(page, "Tell the status").locator(".react-flow__handle.target"));
  await saved(page);
  const problems = page.getByRole("region", { name: "Problems" });
  await expect(problems.getByRole("status")).toHaveText("No problems");
  await shots(page, "editor-built");

  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await page.getByRole("dialog", { name: "Publish the first version?" }).getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.getByText("Published version 1")).toBeVisible();

  await page.getByRole("button", { name: "Run now" }).click();
  await page.getByLabel("Payload (JSON)").fill('{ "amount": 1500 }');
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/runs\/[^/]+$/);
  const runId = page.url().split("/").pop()!;
  await page.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(page.getByText("Succeeded").first()).toBeVisible({ timeout: 20_000 });

  await page.goBack();
  await page.goto(`${page.url().replace(/\?.*$/, "")}?run=${runId}`);
  await expect(node(page, "Manager approves").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
  await expect(node(page, "Wait").locator("[data-run-status]")).toHaveAttribute("data-run-status", "skipped");
  await expect(node(page, "Tell the status").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
  await shots(page, "editor-run");
});

test("a template starts the workflow with its steps on the canvas, and warns about what is left to fill", async ({ page }) => {
  await signUp(page, { name: "Tim Plate", email: `tim-${unique()}@editor.test`, password: "a long enough password", company: "Templates Inc" });
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByRole("radio", { name: /Slack approval of big requests/ }).check();
  await expect(page.getByLabel("Workflow name")).toHaveValue("Slack approval of big requests");
  await shot(page, "editor-templates");
  await page.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  for (const name of ["Announce the request", "Over 1,000?", "Manager approves", "Post the outcome"]) await expect(node(page, name)).toBeVisible();
  // The channels are the person's to pick: missing, they are warnings on the Slack steps.
  await expect(page.getByRole("region", { name: "Problems" }).getByRole("status")).toHaveText("2 warnings");
  await expect(node(page, "Announce the request").getByText("1 warning")).toBeAttached();
});
