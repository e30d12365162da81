import { expect, type Page } from "@playwright/test";

/** Helpers shared by the editor specs: sign-up, errors on the page, API calls beside it, screenshots. */

export const PASSWORD = "correct-horse-battery";

/** Console errors and uncaught exceptions; `allow` lists expected ones. */
export function watchErrors(page: Page, allow: RegExp[] = []): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = `${message.text()} (${message.location().url})`;
    if (!allow.some((pattern) => pattern.test(text))) errors.push(text);
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

export async function signUp(page: Page, name: string): Promise<string> {
  const email = `${name.toLowerCase()}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/workflows$/);
  return email;
}

/** A request with the page's session cookie and the Origin that cookie mutations need. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary response JSON
export async function api(page: Page, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const origin = new URL(page.url()).origin;
  const res = await page.request.fetch(path, { method, headers: { origin, ...headers }, ...(body === undefined ? {} : { data: body }) });
  const text = await res.text();
  return { status: res.status(), body: text ? JSON.parse(text) : null };
}

/** Screenshots at 1280 and 390 px wide (the viewport goes back to 1280 × 800 afterwards). */
export async function shoot(page: Page, name: string, fullPage = false) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `e2e/screenshots/${name}-1280.png`, fullPage });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `e2e/screenshots/${name}-390.png`, fullPage });
  await page.setViewportSize({ width: 1280, height: 800 });
}
