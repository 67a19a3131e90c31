import { expect, test } from "@playwright/test";
import { shot, signUp } from "./support/pages";

// Things found while trying the app: a long name, the 404 page, toasts over the header buttons.

test("a 120-character name without spaces wraps, and a toast leaves the header's buttons free", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signUp(page, { name: "Lou Long", email: `lou-${Date.now()}@polish.test`, password: "a long enough password", company: "Long Names" });
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByLabel("Workflow name").fill("W".repeat(120));
  await page.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(page.getByText("Workflow created")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  // Hovered, the toast stays until measured (it closes after a few seconds, sooner than a busy machine gets here).
  const shownToast = page.locator("[data-sonner-toast]").first();
  await shownToast.hover();
  const toast = (await shownToast.boundingBox())!;
  const rename = (await page.getByRole("button", { name: "Rename" }).boundingBox())!;
  const overlaps =
    toast.x < rename.x + rename.width && rename.x < toast.x + toast.width && toast.y < rename.y + rename.height && rename.y < toast.y + toast.height;
  expect(overlaps).toBe(false);
  await shot(page, "polish-long-name");

  await page.goto("/workflows");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
});

test("an unknown address shows the app's 404 with a way back", async ({ page }) => {
  const response = await page.goto("/nope");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await shot(page, "polish-404");
  await page.getByRole("link", { name: "Go to workflows" }).click();
  await expect(page).toHaveURL(/\/(signin|workflows)/);
});
