import { expect, test, type Page } from "@playwright/test";
import { shot, signUp } from "./support/pages";

// Editing on the canvas from the keyboard: adding, undo and redo, copy and paste (also of JSON
// from the docs), and two tabs saving the same draft.

const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const nodes = (page: Page) => page.locator(".react-flow__node");
/** A step on the canvas, by its name. */
const step = (page: Page, name: string) => page.locator(".react-flow__node").getByTitle(name, { exact: true });
const saveStatus = (page: Page) => page.getByRole("status").filter({ hasText: /changes|Saving|saved/i });

async function start(page: Page, name: string) {
  await signUp(page, { name: "Kay Board", email: `kay-${unique()}@editor.test`, password: "a long enough password", company: "Keys Ltd" });
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByLabel("Workflow name").fill(name);
  await page.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(nodes(page)).toHaveCount(1);
}

test("keyboard only: add a step after the trigger, fill its form, undo, redo, copy, paste and duplicate", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await start(page, "Keyboard");

  // Tab to the trigger's "+", open the palette, search, pick, fill the form, apply: no mouse.
  const add = page.getByRole("button", { name: "Add a step after Manual: Start" });
  await add.focus();
  await expect(add).toBeFocused();
  await page.keyboard.press("Enter");
  await page.keyboard.type("approval");
  await page.keyboard.press("Enter");
  const modal = page.getByRole("dialog").filter({ has: page.getByRole("button", { name: "Apply" }) });
  await expect(modal.getByRole("textbox", { name: "Name" })).toBeFocused();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("Sign off");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Approve it?");
  await expect(modal.getByText("Required to publish")).toHaveCount(1);
  // Message → its variable button → approvers → the timeout.
  for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
  await expect(modal.getByRole("spinbutton", { name: /Decide within/ })).toBeFocused();
  await page.keyboard.type("500");
  await page.keyboard.press("Tab");
  await page.keyboard.press("End");
  // 500 days is past the 30-day limit: said at once, before anything is saved.
  await expect(modal.getByText(/At most/)).toBeVisible();
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("2");
  await expect(modal.getByText(/At most/)).toHaveCount(0);
  await page.keyboard.press("Enter");
  await expect(modal).toBeHidden();
  await expect(nodes(page)).toHaveCount(2);
  await expect(step(page, "Sign off")).toBeVisible();
  await expect(saveStatus(page)).toHaveText("All changes saved");

  // Adding and filling in are two steps back: first the form's changes, then the step itself.
  await page.keyboard.press("Control+Z");
  await expect(step(page, "Approval")).toBeVisible();
  await page.keyboard.press("Control+Z");
  await expect(nodes(page)).toHaveCount(1);
  await page.keyboard.press("Control+Shift+Z");
  await page.keyboard.press("Control+Shift+Z");
  await expect(step(page, "Sign off")).toBeVisible();

  // The step is selected since it was added: copy it and paste it twice.
  await page.keyboard.press("Control+C");
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { nodes: { type: string; name: string }[] };
  expect(copied.nodes).toEqual([expect.objectContaining({ type: "control.approval", name: "Sign off" })]);
  await page.keyboard.press("Control+V");
  await expect(nodes(page)).toHaveCount(3);
  await page.keyboard.press("Control+D");
  await expect(nodes(page)).toHaveCount(4);

  // A node from the docs pastes as it is, under a fresh id if its id is taken.
  await page.evaluate(() =>
    navigator.clipboard.writeText(
      JSON.stringify({ id: "approval", type: "core.noop", name: "From the docs", config: { value: 1 }, position: { x: 0, y: 400 } }),
    ),
  );
  await page.keyboard.press("Control+V");
  await expect(step(page, "From the docs")).toBeVisible();
  await expect(saveStatus(page)).toHaveText("All changes saved");
  await page.getByRole("tab", { name: "Advanced: JSON" }).click();
  const json = JSON.parse(await page.getByLabel("Definition (JSON)").inputValue()) as { nodes: { id: string; name: string }[] };
  expect(json.nodes.map((node) => node.id)).toEqual(["approval", "approval_2", "approval_3", "approval_4"]);
  expect(json.nodes.at(-1)!.name).toBe("From the docs");
  await shot(page, "editor-json-tab");

  // Deleting from the keyboard, then undoing it.
  await page.getByRole("tab", { name: "Canvas" }).click();
  await step(page, "From the docs").click();
  await page.keyboard.press("Delete");
  await expect(nodes(page)).toHaveCount(4);
  await page.keyboard.press("Control+Z");
  await expect(nodes(page)).toHaveCount(5);
});

test("two tabs edit the same draft: the second save is refused, and the person chooses whose to keep", async ({ page, context }) => {
  await start(page, "Two tabs");
  const other = await context.newPage();
  await other.goto(page.url());
  await expect(nodes(other)).toHaveCount(1);

  const pick = async (tab: Page, search: string, name: string) => {
    const palette = tab.getByRole("dialog", { name: "Add a step" });
    await palette.getByRole("combobox").fill(search);
    await palette.getByRole("option", { name: new RegExp(`^${name}`) }).click();
    await tab.getByRole("button", { name: "Apply" }).click();
  };
  const addNoop = async (tab: Page) => {
    await tab.getByRole("button", { name: "Add a step after Manual: Start" }).click();
    await pick(tab, "no-op", "No-op");
  };
  await addNoop(page);
  await expect(saveStatus(page)).toHaveText("All changes saved");

  await other.getByRole("button", { name: "Add step" }).click();
  await pick(other, "wait", "Wait");
  const conflict = other.getByRole("dialog", { name: "Someone else saved this draft" });
  await expect(conflict).toBeVisible();
  await shot(other, "editor-conflict");

  await conflict.getByRole("button", { name: "Reload theirs" }).click();
  await expect(conflict).toBeHidden();
  await expect(step(other, "No-op")).toBeVisible();
  await expect(step(other, "Wait")).toHaveCount(0);

  // Now the first tab is behind: it overwrites with its own.
  await other.getByRole("button", { name: "Add a step after No-op: Next" }).click();
  await pick(other, "wait", "Wait");
  await expect(saveStatus(other)).toHaveText("All changes saved");
  await page.getByRole("button", { name: "Tidy up" }).click();
  await page.getByRole("dialog", { name: "Someone else saved this draft" }).getByRole("button", { name: "Overwrite with mine" }).click();
  await expect(saveStatus(page)).toHaveText("All changes saved");
  await other.reload();
  await expect(nodes(other)).toHaveCount(2);
  await expect(step(other, "Wait")).toHaveCount(0);
});
