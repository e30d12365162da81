import { expect, test, type Browser, type Page } from "@playwright/test";

/**
 * The runs console (/runs) and the run page (/runs/:id), driven in the browser against runs the
 * real worker executes. Each group signs up its own user (its own organization and rate-limit
 * bucket); workflows and runs are made through the API with the browser's cookie.
 */

type Block = { id: string; type: string; params?: Record<string, unknown> };
type Edge = { source: string; target: string; sourceHandle?: string };

const SHOTS = "e2e/screenshots";
/** EventSource.CLOSED */
const SOURCE_CLOSED = 2;

/** Fails the test on any console error or uncaught page error. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    errors.push(`${m.text()} ${m.location().url}`);
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** A new user (and organization) signed up in a new browser context; returns its page. */
async function signUp(browser: Browser, name: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const res = await page.request.post("/api/auth/sign-up/email", {
    data: { email: `${name.toLowerCase()}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, password: "correct-horse-battery", name },
  });
  expect(res.ok(), await res.text()).toBe(true);
  return page;
}

/** A call to the control plane with the page's session cookie (and the Origin a browser sends). */
async function call<T = Record<string, unknown>>(page: Page, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const res = await page.request.fetch(path, { method, data: body, headers: method === "POST" ? { origin: baseOrigin } : {} });
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
  return (await res.json()) as T;
}
let baseOrigin = "";

async function createWorkflow(page: Page, name: string, blocks: Block[], edges: Edge[]): Promise<string> {
  const created = await call<{ id: string }>(page, "POST", "/api/workflows", { name, definition: { blocks: blocks.map((b) => ({ params: {}, ...b })), edges } });
  return created.id;
}

async function startRun(page: Page, workflowId: string, input?: unknown): Promise<string> {
  const started = await call<{ runId: string }>(page, "POST", `/api/workflows/${workflowId}/run`, input === undefined ? {} : { input });
  return started.runId;
}

/** Full-page screenshots at 1280 and 390 px, from the top, once fade-ins have finished. */
async function shoot(page: Page, name: string) {
  for (const [width, height] of [
    [1280, 900],
    [390, 844],
  ]) {
    await page.setViewportSize({ width, height });
    await page.evaluate(() => window.scrollTo(0, 0));
    // Pulsing status dots loop forever; fades end.
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity));
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const runStatus = (page: Page) => page.getByTestId("run-status");

const QUICKSTART: [Block[], Edge[]] = [
  [
    { id: "trg", type: "trigger_webhook" },
    { id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } },
  ],
  [{ source: "trg", target: "greet" }],
];

const APPROVAL: [Block[], Edge[]] = [
  [
    { id: "start", type: "trigger_manual" },
    { id: "approval", type: "wait_for_event", params: { event: "approved" } },
    { id: "note", type: "log", params: { message: "approved by {{approval.data.by}}" } },
  ],
  [
    { source: "start", target: "approval" },
    { source: "approval", target: "note" },
  ],
];

test.beforeAll(({ baseURL }) => {
  baseOrigin = new URL(baseURL!).origin;
});

test.describe("the run page", () => {
  test.describe.configure({ mode: "serial" });
  let page: Page;
  let errors: string[];
  let greeter: string;
  let approval: string;
  test.beforeAll(async ({ browser }) => {
    page = await signUp(browser, "Ada");
    errors = watchErrors(page);
    greeter = await createWorkflow(page, "Greeter", ...QUICKSTART);
    approval = await createWorkflow(page, "Approval", ...APPROVAL);
  });
  test.afterEach(() => expect(errors, "console errors").toEqual([]));
  test.afterAll(() => page.context().close());

  test("a run started through the API reaches succeeded, and the greet block's output says Hello, Ada!", async () => {
    const runId = await startRun(page, greeter, { body: { name: "Ada" } });
    await page.goto(`/runs/${runId}`);
    await expect(runStatus(page)).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByRole("heading", { name: "Greeter" })).toBeVisible();
    await expect(page.getByTestId("entry-count")).toHaveText("2 block attempts");
    // The canvas draws both pinned blocks, coloured by status.
    await expect(page.getByTestId("workflow-canvas").locator(".react-flow__node")).toHaveCount(2);
    const greetRow = page.locator('[data-testid="timeline-row"][data-block-id="greet"]');
    await expect(greetRow).toHaveAttribute("data-status", "succeeded");
    await greetRow.getByRole("button", { expanded: false }).first().click();
    await expect(greetRow.getByText('"message": "Hello, Ada!"')).toBeVisible();
    await shoot(page, "run-succeeded");
  });

  test("Run again starts a new run with the same input and opens it", async () => {
    const runId = await startRun(page, greeter, { body: { name: "Ada" } });
    await page.goto(`/runs/${runId}`);
    await expect(runStatus(page)).toHaveAttribute("data-status", "succeeded");
    await page.getByRole("button", { name: "Run again" }).click();
    await expect(page).not.toHaveURL(new RegExp(`/runs/${runId}$`));
    await expect(page).toHaveURL(/\/runs\/run_/);
    await expect(runStatus(page)).toHaveAttribute("data-status", "succeeded");
    const again = await call<{ id: string; input: unknown }>(page, "GET", `/api/runs/${page.url().split("/").pop()}`);
    expect(again.input).toEqual({ body: { name: "Ada" } });
  });

  test("a waiting run is resumed from the Send event dialog and reaches succeeded without a reload", async () => {
    const runId = await startRun(page, approval);
    await page.goto(`/runs/${runId}`);
    await expect(runStatus(page)).toHaveAttribute("data-status", "waiting");
    await expect(page.locator('[data-testid="timeline-row"][data-block-id="approval"]')).toHaveAttribute("data-status", "waiting");
    await shoot(page, "run-waiting");
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

    await page.getByRole("button", { name: "Send event" }).click();
    const dialog = page.getByRole("dialog", { name: "Send an event to this run" });
    await expect(dialog.getByLabel("Event name")).toHaveValue("approved");
    await dialog.getByLabel("Data (JSON)").fill('{ "by": "Grace" }');
    await dialog.getByRole("button", { name: "Send event" }).click();
    await expect(dialog).toBeHidden();

    await expect(runStatus(page)).toHaveAttribute("data-status", "succeeded");
    await expect(page.locator('[data-testid="timeline-row"][data-block-id="approval"]')).toHaveAttribute("data-status", "succeeded");
    // One row per (block, attempt): the waiting entry was replaced, not added to.
    await expect(page.getByTestId("entry-count")).toHaveText("3 block attempts");
    await page.locator('[data-testid="timeline-row"][data-block-id="note"] button').first().click();
    await expect(page.getByText("approved by Grace").first()).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  });

  test("after the live stream drops, the page reconnects where it left off and shows no entry twice", async () => {
    const runId = await startRun(page, approval);
    await expect.poll(async () => (await call<{ status: string }>(page, "GET", `/api/runs/${runId}`)).status).toBe("waiting");
    const logs = (await call<{ data: ({ id: string; blockId: string } & Record<string, unknown>)[] }>(page, "GET", `/api/runs/${runId}/logs`)).data;
    expect(logs.map((l) => l.blockId)).toEqual(["start", "approval"]);

    const viewer = await page.context().newPage();
    const viewerErrors = watchErrors(viewer);
    // Record the page's event sources and each `log` event's id as they see it.
    await viewer.addInitScript(() => {
      const Native = window.EventSource;
      const seen: { ids: string[]; sources: EventSource[] } = { ids: [], sources: [] };
      (window as unknown as { seen: typeof seen }).seen = seen;
      window.EventSource = class extends Native {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          seen.sources.push(this);
          this.addEventListener("log", (e) => seen.ids.push((e as MessageEvent).lastEventId));
        }
      };
    });
    const seen = () => viewer.evaluate(() => {
      const { ids, sources } = (window as unknown as { seen: { ids: string[]; sources: EventSource[] } }).seen;
      return { ids, states: sources.map((s) => s.readyState) };
    });
    // The first connection sends both entries, the second one without an id, then ends (a drop):
    // the browser reconnects with Last-Event-ID = the start entry, and the server sends the
    // approval entry again.
    let connections = 0;
    await viewer.route("**/stream", async (route) => {
      if (connections++ > 0) return route.continue();
      const body = `retry: 100\n\nevent: log\nid: ${logs[0].id}\ndata: ${JSON.stringify(logs[0])}\n\nevent: log\ndata: ${JSON.stringify(logs[1])}\n\n`;
      await route.fulfill({ status: 200, headers: { "content-type": "text/event-stream" }, body });
    });
    await viewer.goto(`/runs/${runId}`);
    await expect.poll(() => connections).toBe(2);
    await expect(viewer.getByText("Live", { exact: true })).toBeVisible();
    // Resumed after the start entry: the approval entry came twice, the start entry once.
    await expect.poll(async () => (await seen()).ids).toEqual([logs[0].id, logs[0].id, logs[1].id]);
    await expect(viewer.getByTestId("entry-count")).toHaveText("2 block attempts");
    await expect(viewer.getByTestId("timeline-row")).toHaveCount(2);

    await call(page, "POST", `/api/runs/${runId}/events`, { event: "approved" });
    await expect(runStatus(viewer)).toHaveAttribute("data-status", "succeeded");
    await expect(viewer.getByTestId("entry-count")).toHaveText("3 block attempts");
    await expect(viewer.getByTestId("timeline-row")).toHaveCount(3);
    // One source, closed by the page on the final status (left open, the browser would reconnect).
    expect((await seen()).states).toEqual([SOURCE_CLOSED]);
    expect(viewerErrors).toEqual([]);
    await viewer.close();
  });

  test("a waiting run is canceled from the page after a confirmation", async () => {
    const runId = await startRun(page, approval);
    await page.goto(`/runs/${runId}`);
    await expect(runStatus(page)).toHaveAttribute("data-status", "waiting");
    await page.getByRole("button", { name: "Cancel run" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel this run?" });
    await expect(dialog).toContainText(runId);
    await dialog.getByRole("button", { name: "Cancel run" }).click();
    await expect(runStatus(page)).toHaveAttribute("data-status", "canceled");
    await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Send event" })).toHaveCount(0);
    expect((await call<{ status: string }>(page, "GET", `/api/runs/${runId}`)).status).toBe("canceled");
  });

  test("a failed run shows its error: message, block and code", async () => {
    const failing = await createWorkflow(
      page,
      "Fetch a private address",
      [
        { id: "start", type: "trigger_manual" },
        { id: "fetch", type: "http_request", params: { method: "GET", url: "http://127.0.0.1:9/" } },
        { id: "after", type: "log", params: { message: "never" } },
      ],
      [
        { source: "start", target: "fetch" },
        { source: "fetch", target: "after" },
      ],
    );
    const runId = await startRun(page, failing);
    await page.goto(`/runs/${runId}`);
    await expect(runStatus(page)).toHaveAttribute("data-status", "failed");
    const alert = page.getByRole("alert").filter({ hasText: "The run failed" });
    await expect(alert).toContainText("fetch");
    await expect(alert).toContainText("ssrf_blocked");
    await expect(page.locator('[data-testid="timeline-row"][data-block-id="fetch"]')).toHaveAttribute("data-status", "failed");
    await shoot(page, "run-failed");
  });

  test("another organization's run opens the 404 page", async ({ browser }) => {
    const runId = await startRun(page, greeter, { body: { name: "Ada" } });
    const stranger = await signUp(browser, "Mallory");
    const strangerErrors: string[] = [];
    stranger.on("pageerror", (e) => strangerErrors.push(e.message));
    await stranger.goto(`/runs/${runId}`);
    await expect(stranger.getByRole("heading", { name: "We could not find that" })).toBeVisible();
    await expect(stranger.getByText("Hello, Ada!")).toHaveCount(0);
    expect(strangerErrors).toEqual([]);
    await stranger.context().close();
  });

  test("a run of 60 log blocks opens with a virtualised timeline (fewer rows in the page than entries)", async () => {
    const blocks: Block[] = [{ id: "start", type: "trigger_manual" }];
    const edges: Edge[] = [];
    for (let i = 1; i <= 60; i++) {
      blocks.push({ id: `step${i}`, type: "log", params: { message: `step ${i}` } });
      edges.push({ source: i === 1 ? "start" : `step${i - 1}`, target: `step${i}` });
    }
    const chain = await createWorkflow(page, "Long chain", blocks, edges);
    const runId = await startRun(page, chain);
    await expect.poll(async () => (await call<{ status: string }>(page, "GET", `/api/runs/${runId}`)).status, { timeout: 60_000 }).toBe("succeeded");

    await page.goto(`/runs/${runId}`);
    await expect(page.getByTestId("entry-count")).toHaveText("61 block attempts");
    const rows = await page.getByTestId("timeline-row").count();
    expect(rows).toBeGreaterThan(5);
    expect(rows).toBeLessThan(61);
    // Scrolling brings the last block into the page.
    await page.getByTestId("timeline-scroller").evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect(page.locator('[data-testid="timeline-row"][data-block-id="step60"]')).toBeVisible();
    // Clicking a block on the canvas scrolls the timeline to it.
    await page.getByTestId("workflow-canvas").locator('.react-flow__node[data-id="start"]').click();
    await expect(page.locator('[data-testid="timeline-row"][data-block-id="start"]')).toBeVisible();
  });
});

test.describe("the runs console", () => {
  test("lists runs, filters by status in the URL, and shows a new run without a reload", async ({ browser }) => {
    const page = await signUp(browser, "Grace");
    const errors = watchErrors(page);
    await page.goto("/runs");
    await expect(page.getByRole("heading", { name: "No runs yet" })).toBeVisible();
    await shoot(page, "runs-empty");

    const greeter = await createWorkflow(page, "Greeter", ...QUICKSTART);
    const approval = await createWorkflow(page, "Approval", ...APPROVAL);
    const done = await startRun(page, greeter, { body: { name: "Grace" } });
    const waiting = await startRun(page, approval);
    const row = (id: string) => page.locator(`tr[data-run-id="${id}"]`);
    await expect(row(done).locator('[data-status="succeeded"]')).toBeVisible();
    await expect(row(waiting).locator('[data-status="waiting"]')).toBeVisible();
    await expect(row(done).getByRole("link", { name: "Greeter" })).toHaveAttribute("href", `/workflows/${greeter}`);
    await expect(row(done)).toContainText("Manual");
    await expect(row(done)).toContainText("member");

    await page.getByLabel("Status").selectOption("waiting");
    await expect(page).toHaveURL(/[?&]status=waiting/);
    await expect(row(waiting)).toBeVisible();
    await expect(row(done)).toHaveCount(0);

    await page.getByLabel("Trigger").selectOption("schedule");
    await expect(page).toHaveURL(/trigger=schedule/);
    await expect(page.getByRole("heading", { name: "No runs match these filters" })).toBeVisible();
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await expect(page).toHaveURL(/\/runs$/);
    await expect(row(done)).toBeVisible();

    await page.getByLabel("Workflow").selectOption({ label: "Approval" });
    await expect(page).toHaveURL(new RegExp(`workflowId=${approval}`));
    await expect(row(done)).toHaveCount(0);
    await page.goto("/runs");

    // A run started elsewhere shows up on its own.
    await expect(row(done)).toBeVisible();
    const fresh = await startRun(page, greeter, { body: { name: "Linus" } });
    await expect(row(fresh)).toBeVisible();
    await expect(row(fresh).locator('[data-status="succeeded"]')).toBeVisible();
    await shoot(page, "runs");

    await row(fresh).getByRole("link", { name: `Run ${fresh}` }).click();
    await expect(page).toHaveURL(new RegExp(`/runs/${fresh}$`));
    await expect(runStatus(page)).toHaveAttribute("data-status", "succeeded");
    expect(errors, "console errors").toEqual([]);
    await page.context().close();
  });
});
