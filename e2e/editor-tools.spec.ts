import { expect, test, type Locator, type Page } from "@playwright/test";
import { shot, signUp } from "./support/pages";

// The editor's helpers around the graph: sticky notes, Tab for the palette, dropping a step onto
// a connection, the live preview of {{…}}, testing one step, connecting Slack from a step's
// modal, and the changes Publish shows.

const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const nodes = (page: Page) => page.locator(".react-flow__node");
const notes = (page: Page) => page.locator(".react-flow__node-note");
const step = (page: Page, name: string) => page.locator(".react-flow__node").filter({ has: page.getByTitle(name, { exact: true }) });
const saved = (page: Page) => expect(page.getByRole("status").filter({ hasText: /changes saved|Unsaved|Saving/ })).toHaveText("All changes saved");
const modalOf = (page: Page) => page.getByRole("dialog").filter({ has: page.getByRole("button", { name: "Apply" }) });
const text = (modal: Locator, label: string) => modal.getByRole("textbox", { name: new RegExp(`^${label}`) });

/**
 * A Wait with no duration blocks publishing: the page, fetched again a moment after the save, shows
 * that above the editor and so moves the canvas down. Positions for a drag are measured after it.
 */
const publishCheckShown = (page: Page) => expect(page.getByText(/^Fix \d+ problems? to publish/)).toBeVisible();

async function shots(page: Page, name: string) {
  await shot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveClass(/dark/);
  await shot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: "light" });
  await expect(page.locator("html")).not.toHaveClass(/dark/);
}

async function start(page: Page, name: string) {
  await signUp(page, { name: "Tess Tools", email: `tess-${unique()}@editor.test`, password: "a long enough password", company: "Tools Ltd" });
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByLabel("Workflow name").fill(name);
  await page.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(nodes(page)).toHaveCount(1);
}

/**
 * The mouse works in the viewport: brings the whole canvas into it, then measures `mark` once the
 * view has settled. Fitting animates for 200 ms from a frame after the click, so two reads of the
 * mark in a row can both come before it moves: the view counts as settled once its transform has
 * not changed for longer than the animation.
 */
async function fitAndSettle(page: Page, mark: Locator) {
  await page.getByRole("button", { name: "Zoom to fit" }).click();
  await page.locator(".react-flow").evaluate((canvas) => canvas.scrollIntoView({ block: "center" }));
  await page.locator(".react-flow__viewport").evaluate(
    (viewport: HTMLElement) =>
      new Promise<void>((resolve) => {
        let [last, since] = [viewport.style.transform, performance.now()];
        const tick = () => {
          if (viewport.style.transform !== last) [last, since] = [viewport.style.transform, performance.now()];
          if (performance.now() - since > 400) resolve();
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
  );
  return (await mark.boundingBox())!;
}

async function pick(page: Page, search: string, name: string) {
  const palette = page.getByRole("dialog", { name: "Add a step" });
  await expect(palette).toBeVisible();
  await palette.getByRole("combobox").fill(search);
  await palette.getByRole("option", { name: new RegExp(`^${name}`) }).click();
}

test("sticky notes are written, saved, copied and deleted; Tab opens the palette; a step dropped onto a connection is inserted", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await start(page, "Notes and drops");

  // A note from the toolbar is focused: Enter writes in it, Ctrl+Enter keeps the text.
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(notes(page)).toHaveCount(1);
  await expect(notes(page)).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("textbox", { name: "Note text" })).toBeFocused();
  await page.keyboard.type("Finance signs off anything over 1,000");
  await page.keyboard.press("Control+Enter");
  await expect(notes(page)).toContainText("Finance signs off anything over 1,000");
  await saved(page);
  await page.reload();
  await expect(notes(page)).toContainText("Finance signs off anything over 1,000");

  // Copy and paste it (as definition JSON), then delete the copy.
  await notes(page).click();
  await page.keyboard.press("Control+C");
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { notes: { text: string }[] };
  expect(copied.notes).toEqual([expect.objectContaining({ text: "Finance signs off anything over 1,000" })]);
  await page.keyboard.press("Control+V");
  await expect(notes(page)).toHaveCount(2);
  await page.keyboard.press("Delete");
  await expect(notes(page)).toHaveCount(1);

  // Tab with the trigger selected opens the palette after it; in the modal, Tab moves between fields.
  await step(page, "Manual").click();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("dialog", { name: "Add a step" })).toContainText("Adds a step after “the trigger”");
  await pick(page, "no-op", "No-op");
  let modal = modalOf(page);
  await expect(text(modal, "Name")).toBeFocused();
  await text(modal, "Name").fill("First");
  await page.keyboard.press("Tab");
  await expect(modal).toBeVisible();
  await modal.getByRole("button", { name: "Apply" }).click();
  await step(page, "First").click();
  await page.keyboard.press("Tab");
  await pick(page, "no-op", "No-op");
  modal = modalOf(page);
  await text(modal, "Name").fill("Last");
  await modal.getByRole("button", { name: "Apply" }).click();

  // A third step, on its own, dragged onto First → Last.
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.getByRole("button", { name: "Add step" }).click();
  await pick(page, "wait", "Wait");
  modal = modalOf(page);
  await text(modal, "Name").fill("Pause");
  await modal.getByRole("button", { name: "Apply" }).click();
  await saved(page);
  await publishCheckShown(page);

  const edgePlus = page.getByRole("button", { name: "Insert a step here" }).nth(1);
  const target = await fitAndSettle(page, edgePlus);
  const pause = (await step(page, "Pause").boundingBox())!;
  await page.mouse.move(pause.x + pause.width / 2, pause.y + pause.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) {
    await page.mouse.move(
      pause.x + pause.width / 2 + ((target.x + target.width / 2 - (pause.x + pause.width / 2)) * i) / 10,
      pause.y + pause.height / 2 + ((target.y + target.height / 2 - (pause.y + pause.height / 2)) * i) / 10,
    );
  }
  await expect(page.locator(".react-flow__edge-path.drop-target")).toHaveCount(1);
  await page.mouse.up();
  await saved(page);
  await expect(page.getByRole("button", { name: "Insert a step here" })).toHaveCount(3);
  await page.getByRole("tab", { name: "Table" }).click();
  const table = page.getByRole("table", { name: "Nodes of the draft" });
  await expect(table.getByRole("row", { name: /^noop core\.noop/ })).toContainText("wait");
  await expect(table.getByRole("row", { name: /^wait control\.wait/ })).toContainText("noop_2");
  await shots(page, "editor-table");
  await page.getByRole("tab", { name: "Canvas" }).click();
  await page.getByRole("button", { name: "Zoom to fit" }).click();
  await shots(page, "editor-sticky-note");

  // A step reached with Tab shows where the focus is (React Flow's own style hides it).
  await step(page, "Pause").evaluate((element) => (element as HTMLElement & { focus(options: { focusVisible: boolean }): void }).focus({ focusVisible: true }));
  await expect(page.locator(".react-flow__node:focus-visible")).toHaveCSS("outline-style", "solid");

  // Reading at 375 px: the canvas and the note stay inside the screen.
  await page.setViewportSize({ width: 375, height: 800 });
  await expect(page.getByText("Editing works best on a wider screen")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await shot(page, "editor-sticky-note-375");
});

test("connect Slack from the modal, preview {{…}} as you type, test the step, and see the changes before publishing", async ({ page }) => {
  await start(page, "Preview and publish");
  await page.getByRole("button", { name: "Add a step after Manual: Start" }).click();
  await pick(page, "message", "Send message Posts a message to a Slack");
  const modal = modalOf(page);
  await text(modal, "Name").fill("Announce");

  // No Slack yet: connect it in a popup; the form keeps its name and the selector lists the workspace.
  await expect(modal).toContainText("No Slack account is connected");
  const popupOpened = page.waitForEvent("popup");
  await modal.getByRole("button", { name: "Connect Slack" }).click();
  const popup = await popupOpened;
  await popup.getByRole("button", { name: "Allow" }).click();
  await expect(modal.getByLabel("Slack account")).toContainText("Company default");
  await expect(text(modal, "Name")).toHaveValue("Announce");

  await text(modal, "Channel").fill("#general");
  // The manual trigger's sample payload ({ amount: 1200, … }) until the workflow has run.
  await text(modal, "Message").fill("Request of {{trigger.payload.amount}} by {{trigger.payload.requester}}");
  const preview = modal.getByTestId("expression-preview");
  await expect(preview).toContainText("Preview with the trigger's sample payload");
  await expect(preview).toContainText("Request of 1200 by ada@example.com");
  await text(modal, "Message").fill("Request of {{trigger.payload.amont}}");
  await expect(preview).toContainText('"trigger.payload" has no "amont"');
  await shots(page, "editor-expression-preview");
  await text(modal, "Message").fill("Request of {{trigger.payload.amount}}");

  // Sending a message is an effect: the test is a dry preview unless asked (and confirmed) otherwise.
  await modal.getByRole("button", { name: "Preview", exact: true }).click();
  const result = modal.getByTestId("test-step-result");
  await expect(result).toContainText("Preview: nothing was sent");
  await expect(result).toContainText('"channel": "#general"');
  await modal.getByRole("button", { name: "Run for real…" }).click();
  await expect(modal.getByRole("alertdialog")).toContainText("cannot be undone from Flowline");
  await modal.getByRole("button", { name: "Cancel", exact: true }).first().click();
  await result.scrollIntoViewIfNeeded();
  await shots(page, "editor-test-step");
  await modal.getByRole("button", { name: "Apply" }).click();
  await saved(page);

  await page.getByRole("button", { name: "Publish", exact: true }).click();
  let review = page.getByRole("dialog", { name: "Publish the first version?" });
  await review.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.getByText("Published version 1")).toBeVisible();

  // An edit, then Publish again: the dialog lists what changed since version 1.
  await step(page, "Announce").dblclick();
  await text(modalOf(page), "Name").fill("Announce it");
  await modalOf(page).getByRole("button", { name: "Apply" }).click();
  await saved(page);
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  review = page.getByRole("dialog", { name: "Publish version 2?" });
  await expect(review).toContainText("Changes since version 1");
  await expect(review.getByRole("definition")).toContainText("send_message");
  await shots(page, "editor-publish-diff");
  await review.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.getByText("Published version 2")).toBeVisible();
});

test("a step dragged from the palette lands where it is dropped, and onto a connection is inserted between its ends", async ({ page }) => {
  await start(page, "Drag from the palette");
  await page.getByRole("button", { name: "Add a step after Manual: Start" }).click();
  await pick(page, "no-op", "No-op");
  await text(modalOf(page), "Name").fill("First");
  await modalOf(page).getByRole("button", { name: "Apply" }).click();
  await page.getByRole("button", { name: "Add a step after First: Next" }).click();
  await pick(page, "no-op", "No-op");
  await text(modalOf(page), "Name").fill("Last");
  await modalOf(page).getByRole("button", { name: "Apply" }).click();
  await saved(page);

  const edgePlus = page.getByRole("button", { name: "Insert a step here" }).nth(1);
  await fitAndSettle(page, edgePlus);
  let first = (await step(page, "First").boundingBox())!;

  /**
   * Opens the palette with "/", finds Wait and drags it to the point `to` gives once the drag has
   * begun (measured then: opening and closing the palette may scroll the page), checking before
   * the drop whether a connection lights up.
   */
  const dragWait = async (to: () => Promise<{ x: number; y: number }>, onConnection: boolean) => {
    await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("/");
    const palette = page.getByRole("dialog", { name: "Add a step" });
    await palette.getByRole("combobox").fill("wait");
    // Measured once the list is filtered (Wait first) and the palette has finished popping in: on a
    // busy machine either could still be moving the item, and the press then missed it.
    await expect(palette.getByRole("option").first()).toHaveAccessibleName(/^Wait/);
    await palette.evaluate((dialog) => Promise.all(dialog.getAnimations({ subtree: true }).map((animation) => animation.finished)));
    const item = (await palette.getByRole("option", { name: /^Wait/ }).boundingBox())!;
    const from = { x: item.x + item.width / 2, y: item.y + item.height / 2 };
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 10, from.y + 10);
    // The palette steps aside as soon as the drag begins, so the canvas is seen under it.
    await expect(palette).toBeHidden();
    const { x, y } = await to();
    for (let i = 1; i <= 10; i++) await page.mouse.move(from.x + 10 + ((x - from.x - 10) * i) / 10, from.y + 10 + ((y - from.y - 10) * i) / 10);
    await expect(page.locator(".react-flow__edge-path.drop-target")).toHaveCount(onConnection ? 1 : 0);
    return { x, y };
  };

  // On empty canvas, left of First: the new step's 240 × 72 box is centred on the drop point, and it
  // has no connections.
  const aside = await dragWait(async () => {
    const canvas = (await page.locator(".react-flow").boundingBox())!;
    first = (await step(page, "First").boundingBox())!;
    return { x: Math.max(first.x - 200, canvas.x + 130), y: first.y + first.height / 2 };
  }, false);
  await page.mouse.up();
  let modal = modalOf(page);
  await text(modal, "Name").fill("Aside");
  await modal.getByRole("button", { name: "Apply" }).click();
  // Measured from First, which moves with it should the page scroll when the form closes.
  const [dropped, firstNow] = [(await step(page, "Aside").boundingBox())!, (await step(page, "First").boundingBox())!];
  const zoom = dropped.width / 240;
  expect(Math.abs(dropped.x + 120 * zoom - firstNow.x - (aside.x - first.x))).toBeLessThan(3);
  expect(Math.abs(dropped.y + 36 * zoom - firstNow.y - (aside.y - first.y))).toBeLessThan(3);
  await saved(page);
  await publishCheckShown(page);
  await expect(page.getByRole("button", { name: "Insert a step here" })).toHaveCount(2);

  // Onto First → Last (just below its "+", on the line): it goes between them.
  await dragWait(async () => {
    const plus = (await edgePlus.boundingBox())!;
    return { x: plus.x + plus.width / 2, y: plus.y + plus.height / 2 + 14 };
  }, true);
  await shots(page, "editor-palette-drag");
  await page.mouse.up();
  modal = modalOf(page);
  await text(modal, "Name").fill("Pause");
  await modal.getByRole("button", { name: "Apply" }).click();
  await saved(page);
  await expect(page.getByRole("button", { name: "Insert a step here" })).toHaveCount(3);
  await page.getByRole("tab", { name: "Table" }).click();
  const table = page.getByRole("table", { name: "Nodes of the draft" });
  await expect(table.getByRole("row", { name: /^noop core\.noop/ })).toContainText("wait_2");
  await expect(table.getByRole("row", { name: /^wait_2 control\.wait/ })).toContainText("noop_2");
  await expect(table.getByRole("row", { name: /^wait control\.wait/ })).toContainText("Nothing (ends here)");
  await page.getByRole("tab", { name: "Canvas" }).click();
  await page.getByRole("button", { name: "Zoom to fit" }).click();
  await shot(page, "editor-palette-dropped");

  // The drop is one change, as the name applied after it is another: two undos take the inserted
  // step out and join First → Last again.
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Control+z");
  await expect(step(page, "Pause")).toHaveCount(0);
  await expect(nodes(page)).toHaveCount(5);
  await page.keyboard.press("Control+z");
  await expect(nodes(page)).toHaveCount(4);
  await expect(page.getByRole("button", { name: "Insert a step here" })).toHaveCount(2);
});

test("a JSON field (CodeMirror, loaded once the editor is idle) says where its JSON is broken and keeps what parses", async ({ page }) => {
  await start(page, "JSON field");
  await page.getByRole("button", { name: "Add a step after Manual: Start" }).click();
  await pick(page, "signature", "Request signature");
  const modal = modalOf(page);
  const code = modal.locator(".cm-content");
  await code.click();
  // Inserted whole, as a paste: typed key by key, CodeMirror would close each bracket and quote itself.
  await page.keyboard.insertText('[{"name": "Ada Lovelace",\n "email" "ada@example.test"}]');
  await expect(modal.getByText(/^Invalid JSON at line 2, column \d+/)).toBeVisible();
  await expect(modal.locator(".cm-lint-marker-error")).toHaveCount(1);
  await shots(page, "editor-json-field");

  await page.keyboard.press("Control+A");
  await page.keyboard.insertText('[{"name": "Ada Lovelace", "email": "ada@example.test"}]');
  await expect(modal.getByText(/^Invalid JSON/)).toHaveCount(0);
  await modal.getByRole("button", { name: "Apply" }).click();
  await saved(page);
  await page.reload();
  await step(page, "Request signature").dblclick();
  await expect(modalOf(page).locator(".cm-content")).toContainText('"email": "ada@example.test"');
});
