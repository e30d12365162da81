import { expect, test, type APIResponse, type Page } from "@playwright/test";
import { api, shoot, signUp, watchErrors } from "./support";

/**
 * The pages' Content-Security-Policy (middleware.ts, README "Limits"): every page answer carries a
 * fresh script nonce, Next's own scripts carry it, the pages work under it without a single
 * violation, and scripts injected into the HTML do not run. API answers allow nothing.
 */

const GREETER = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {}, position: { x: 0, y: 0 } },
    { id: "greet", type: "greet", params: { name: "Ada" }, position: { x: 320, y: 0 } },
  ],
  edges: [{ source: "trg", target: "greet" }],
};

/** The CSP's directives by name, e.g. `{ "script-src": ["'self'", "'nonce-…'", …] }`. */
function directives(response: APIResponse): Record<string, string[]> {
  const policy = response.headers()["content-security-policy"] ?? "";
  return Object.fromEntries(
    policy
      .split(";")
      .map((directive) => directive.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name, sources]),
  );
}

function nonceOf(response: APIResponse): string | undefined {
  return directives(response)["script-src"]?.find((source) => source.startsWith("'nonce-"))?.slice(7, -1);
}

/** Every `securitypolicyviolation` the page reports, kept on `window.__violations` from the first script on. */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const record = window as unknown as { __violations: string[] };
    record.__violations = [];
    document.addEventListener("securitypolicyviolation", (event) => record.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`));
  });
}

const violations = (page: Page) => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);

test("every page answer carries a nonce CSP without 'unsafe-inline' scripts, a new nonce each time, on all of Next's scripts", async ({ request }) => {
  for (const path of ["/", "/sign-in", "/sign-up", "/invite/inv_doesnotexist", "/docs/api", "/workflows"]) {
    const res = await request.get(path, { maxRedirects: 0 });
    const policy = directives(res);
    expect(policy["script-src"], path).toEqual(["'self'", expect.stringMatching(/^'nonce-[A-Za-z0-9+/]{22}=='$/), "'strict-dynamic'"]);
    expect(policy["object-src"], path).toEqual(["'none'"]);
    expect(policy["base-uri"], path).toEqual(["'self'"]);
    expect(policy["form-action"], path).toEqual(["'self'"]);
    expect(policy["frame-ancestors"], path).toEqual(["'none'"]);
    expect(policy["connect-src"], path).toEqual(["'self'"]);
    expect(res.headers()["x-content-type-options"], path).toBe("nosniff");
    expect(res.headers()["x-frame-options"], path).toBe("DENY");
  }

  const first = await request.get("/sign-in");
  const second = await request.get("/sign-in");
  expect(nonceOf(first)).not.toBe(nonceOf(second));
  // Next reads the nonce from the request's CSP and puts it on each of its scripts.
  const html = await first.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonceOf(first)}"`);

  for (const path of ["/health", "/api/health", "/api/connectors/greet"]) {
    expect((await request.get(path)).headers()["content-security-policy"], path).toBe("default-src 'none'; frame-ancestors 'none'");
  }
});

/**
 * Serves `path`'s real answer, CSP and all, with `markup` inserted at the top of its body: what an
 * injection flaw in the HTML would deliver. Parser-inserted scripts without this answer's nonce,
 * and inline event handlers, must not run. (A script that the page's own, trusted scripts build
 * with `document.createElement` does run: that is what 'strict-dynamic' grants.)
 */
async function serveInjected(page: Page, path: string, markup: string): Promise<void> {
  await page.route((url) => url.pathname === path, async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers["content-encoding"];
    delete headers["content-length"];
    const body = (await response.text()).replace(/<body[^>]*>/, (tag) => tag + markup);
    await route.fulfill({ response, headers, body });
  });
}

const INJECTED = [
  `<script>window.__injected = "inline script"</script>`,
  `<script nonce="R3Vlc3NlZCBub25jZQ==">window.__injected = "guessed nonce"</script>`,
  `<img alt="" src="/injected.png" onerror="window.__injected = 'event handler'">`,
].join("");

test("the landing page, sign-in, sign-up and the signed-in app work under the CSP with no violation, and injected scripts do not run", async ({ page }) => {
  test.setTimeout(120_000);
  const csp = /Content Security Policy/;
  const errors = watchErrors(page, [csp]);
  const refused: string[] = [];
  page.on("console", (message) => {
    if (csp.test(message.text())) refused.push(message.text());
  });
  await recordViolations(page);

  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Weft" })).toBeVisible();
  await shoot(page, "csp-landing");
  expect(await violations(page)).toEqual([]);

  await serveInjected(page, "/", INJECTED);
  await page.goto("/");
  // Next's own scripts, which carry the nonce, ran (after the injected ones, which come first in the body).
  await expect.poll(() => page.evaluate(() => typeof (window as unknown as { next?: { version?: string } }).next?.version)).toBe("string");
  await expect.poll(async () => (await violations(page)).sort()).toEqual(["script-src-attr inline", "script-src-elem inline", "script-src-elem inline"]);
  expect(await page.evaluate(() => (window as unknown as { __injected?: string }).__injected)).toBeUndefined();
  expect(refused).toHaveLength(3);
  refused.length = 0;
  await page.unrouteAll();

  await page.goto("/sign-in");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await shoot(page, "csp-sign-in");
  expect(await violations(page)).toEqual([]);

  // Sign-up is a client-side form: it only works if Next's scripts ran.
  await signUp(page, "Csp");
  expect(await violations(page)).toEqual([]);
  for (const path of ["/runs", "/schedules", "/settings"]) {
    await page.goto(path);
    await expect(page.getByRole("main")).toBeVisible();
    expect(await violations(page), path).toEqual([]);
  }

  const created = await api(page, "POST", "/api/workflows", { name: "Greeter", definition: GREETER });
  expect(created.status).toBe(201);
  await page.goto(`/workflows/${created.body.id}`);
  await expect(page.getByTestId("save-status")).toHaveText(`Saved · v${created.body.version}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
  await page.locator('.react-flow__node[data-id="greet"]').click();
  await expect(page.getByRole("complementary", { name: "Side panel" }).locator('[data-param="name"]')).toBeVisible();
  await shoot(page, "csp-editor");
  expect(await violations(page)).toEqual([]);

  expect(refused).toEqual([]);
  expect(errors).toEqual([]);
});
