import { readFileSync } from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { bashBlock, WALKTHROUGHS } from "../app/docs/api/quickstart";
import { shoot, signUp, watchErrors } from "./support";

const METHODS = ["get", "post", "put", "patch", "delete", "head", "options", "trace"];

/** `METHOD /path` of every operation in the document the server publishes. */
async function documentRoutes(request: APIRequestContext): Promise<string[]> {
  const res = await request.get("/api/openapi.json");
  expect(res.status()).toBe(200);
  const document = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The desktop sidebar's table of contents. */
const sidebar = (page: Page) => page.locator("aside nav[aria-label='API reference']");

test("every operation of /api/openapi.json is on /docs/api, with its method, path and a curl example, and in the sidebar", async ({ page, request }) => {
  const errors = watchErrors(page);
  const routes = await documentRoutes(request);
  expect(routes.length).toBeGreaterThan(40);
  await page.goto("/docs/api");
  await expect(page.getByRole("heading", { level: 1, name: "API reference" })).toBeVisible();
  const shown = await page.locator("[data-operation]").evaluateAll((sections) => sections.map((section) => section.getAttribute("data-operation")));
  expect([...shown].sort()).toEqual([...routes].sort());
  for (const route of routes) {
    const [method, path] = route.split(" ");
    const section = page.locator(`[data-operation="${route}"]`);
    await expect(section.locator("code").filter({ hasText: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) }).first(), route).toBeAttached();
    await expect(section.getByText(method, { exact: true }).first(), route).toBeAttached();
    await expect(section.getByTestId("curl"), route).toContainText("curl");
  }
  // The sidebar links to each of them.
  const linked = await sidebar(page).locator("a[title]").evaluateAll((links) => links.map((link) => link.getAttribute("title")));
  expect([...linked].sort()).toEqual([...routes].sort());
  expect(errors).toEqual([]);
});

test("the page asks nothing of any origin but the app's, and renders with the network cut", async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const requested: string[] = [];
  page.on("request", (request) => requested.push(request.url()));
  // Cut every road out: only the app's own host answers.
  await page.context().route(
    (url) => url.origin !== origin,
    (route) => route.abort("internetdisconnected"),
  );
  const errors = watchErrors(page);
  await page.goto("/docs/api");
  await page.waitForLoadState("networkidle");
  await expect(page.getByRole("heading", { level: 2, name: "Authentication" })).toBeVisible();
  // The stylesheet arrived (a method badge has its colour) and the page's JavaScript runs (the filter works).
  const badge = page.locator("[data-operation] span.uppercase").first();
  expect(await badge.evaluate((element) => getComputedStyle(element).backgroundColor)).not.toBe("rgba(0, 0, 0, 0)");
  await sidebar(page).getByLabel("Filter routes").fill("cancel a run");
  await expect(sidebar(page).locator("a[title]")).toHaveCount(1);
  await page.mouse.wheel(0, 20_000);
  await page.waitForLoadState("networkidle");

  // data: URLs are the browser's own bytes, not a request to anyone.
  const elsewhere = requested.filter((url) => !url.startsWith("data:") && new URL(url).origin !== origin);
  expect(elsewhere).toEqual([]);
  expect(requested.length).toBeGreaterThan(3);
  expect(errors).toEqual([]);
});

test("the landing page links to the API reference, and /docs leads there", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "API reference" }).click();
  await expect(page).toHaveURL(/\/docs\/api$/);
  await expect(page.getByRole("heading", { level: 1, name: "API reference" })).toBeVisible();
  await page.goto("/docs");
  await expect(page).toHaveURL(/\/docs\/api$/);
});

test("the app's sidebar links to the API reference, and its header leads back to the app", async ({ page }) => {
  await signUp(page, "Reader");
  await page.locator("aside").getByRole("link", { name: "API reference" }).click();
  await expect(page).toHaveURL(/\/docs\/api$/);
  await expect(page.getByRole("heading", { level: 1, name: "API reference" })).toBeVisible();
  // A signed-in reader goes back to the app from its header.
  await page.getByRole("link", { name: "Open the app" }).click();
  await expect(page).toHaveURL(/\/workflows$/);
});

test("an operation's anchor link scrolls to it, from the sidebar, from the filter and from a shared URL", async ({ page }) => {
  await page.goto("/docs/api");
  // The sidebar highlights the section being read once the page is hydrated; a click before that
  // can lose its hash when the router takes over the URL.
  await expect(sidebar(page).locator("a[aria-current=location]")).toHaveCount(1);
  await sidebar(page).getByRole("link", { name: "Run a workflow" }).click();
  await expect(page).toHaveURL(/#post-api-workflows-id-run$/);
  const run = page.locator("#post-api-workflows-id-run");
  await expect(run.getByRole("heading", { level: 3, name: "Run a workflow" })).toBeInViewport();
  // Not hidden under the sticky header.
  const top = (await run.getByRole("heading", { level: 3 }).boundingBox())!.y;
  expect(top).toBeGreaterThanOrEqual((await page.locator("header").first().boundingBox())!.height);
  await expect(sidebar(page).locator("a[aria-current=location]")).toHaveAttribute("href", "#post-api-workflows-id-run");

  await sidebar(page).getByLabel("Filter routes").fill("rotate");
  await sidebar(page).getByLabel("Filter routes").press("Enter");
  await expect(page).toHaveURL(/#post-api-workflows-id-webhooks-endpointid-rotate$/);
  await expect(page.locator("#post-api-workflows-id-webhooks-endpointid-rotate h3")).toBeInViewport();

  await page.goto("/docs/api#get-api-runs-runid-stream");
  await expect(page.locator("#get-api-runs-runid-stream h3")).toBeInViewport();
  await expect(page.locator("#post-api-workflows-id-run h3")).not.toBeInViewport();
});

test("on a phone the contents are a drawer, and a route picked there scrolls to it", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/docs/api");
  await expect(sidebar(page)).toBeHidden();
  // Nothing is wider than the phone: long paths and code scroll inside their own boxes.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.getByRole("button", { name: "Open the contents" }).click();
  const drawer = page.getByRole("dialog", { name: "API reference" });
  await drawer.getByRole("link", { name: "Create a schedule" }).click();
  await expect(drawer).toBeHidden();
  await expect(page).toHaveURL(/#post-api-schedules$/);
  await expect(page.locator("#post-api-schedules h3")).toBeInViewport();
});

test("the quickstart on the page is the README's, word for word, linked to the routes it calls", async ({ page }) => {
  const readme = readFileSync("README.md", "utf8");
  await page.goto("/docs/api#quickstart");
  const shown = page.getByTestId("walkthrough");
  await expect(shown).toHaveCount(WALKTHROUGHS.length);
  for (const [i, walkthrough] of WALKTHROUGHS.entries()) {
    expect(await shown.nth(i).textContent()).toBe(bashBlock(readme, walkthrough.heading));
  }
  const quickstart = page.locator("#quickstart");
  await quickstart.getByRole("link", { name: "Apply EditOps (the patch endpoint)" }).first().click();
  await expect(page).toHaveURL(/#post-api-workflows-id-operations$/);
});

test("screenshots of the API reference at 1280 and 390 px", async ({ page }) => {
  await page.goto("/docs/api");
  await shoot(page, "api-docs");
  await page.goto("/docs/api#post-api-workflows-id-operations");
  await expect(page.locator("#post-api-workflows-id-operations h3")).toBeInViewport();
  await shoot(page, "api-docs-operation");
  await page.goto("/docs/api#errors");
  await shoot(page, "api-docs-errors");
  await page.goto("/docs/api#post-api-mcp");
  await expect(page.locator("#post-api-mcp h3")).toBeInViewport();
  await shoot(page, "api-docs-mcp");
});
