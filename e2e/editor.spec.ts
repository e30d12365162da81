import { expect, test, type Browser, type Page } from "@playwright/test";
import { api, shoot, signUp, watchErrors } from "./support";

/**
 * The canvas editor (docs/editor.md) in a browser against `npm start`: a new user builds the
 * quickstart from the palette, connects it by dragging, fills a param through `{{` completion,
 * runs it and sees the greeting on the canvas; an agent's patch shows up live; two people edit at
 * once through a 412; history restores; undo/redo; a server skip shows on the block.
 */

const GREETER = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {}, position: { x: 0, y: 0 } },
    { id: "greet", type: "greet", params: { name: "Ada" }, position: { x: 320, y: 0 } },
    { id: "log", type: "log", params: { message: "done" }, position: { x: 640, y: 0 } },
  ],
  edges: [
    { source: "trg", target: "greet" },
    { source: "greet", target: "log" },
  ],
};

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const paramInput = (page: Page, name: string) => page.getByRole("complementary", { name: "Side panel" }).locator(`[data-param="${name}"]`).locator("input, textarea").first();

async function definitionOf(page: Page, id: string) {
  const res = await api(page, "GET", `/api/workflows/${id}`);
  expect(res.status).toBe(200);
  return res.body as { version: number; definition: typeof GREETER };
}

async function openWorkflow(page: Page, definition = GREETER) {
  const created = await api(page, "POST", "/api/workflows", { name: "Greeter", definition });
  expect(created.status).toBe(201);
  await page.goto(`/workflows/${created.body.id}`);
  await expect(page.getByTestId("save-status")).toHaveText(`Saved · v${created.body.version}`);
  return created.body.id as string;
}

async function savedAt(page: Page, version: number) {
  await expect(page.getByTestId("save-status")).toHaveText(`Saved · v${version}`, { timeout: 15_000 });
}

test("a new user builds the quickstart on the canvas, runs it, and sees the greeting on the canvas", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await signUp(page, "Ada");
  await page.getByRole("button", { name: "New workflow" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New workflow" });
  await dialog.getByLabel("Name", { exact: true }).fill("Greeter");
  await dialog.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/wf_[a-z0-9]+$/);
  const workflowId = page.url().split("/").pop()!;
  await expect(page.getByText("Start with a trigger")).toBeVisible();
  await shoot(page, "editor-empty");

  // Two blocks from the palette, dropped on the canvas.
  const canvas = page.getByTestId("editor-canvas");
  await page.getByRole("button", { name: "Add Webhook trigger" }).dragTo(canvas, { targetPosition: { x: 160, y: 160 } });
  await expect(node(page, "trg")).toBeVisible();
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: "Add Greet" }).dragTo(canvas, { targetPosition: { x: 480, y: 160 } });
  await expect(node(page, "greet")).toBeVisible();
  await page.keyboard.press("Escape");

  // Connected by dragging from the trigger's success handle to the greeting's input.
  await node(page, "trg").locator(".react-flow__handle.source").first().dragTo(node(page, "greet").locator(".react-flow__handle.target"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  // The name, through `{{` completion.
  await node(page, "greet").click();
  const name = paramInput(page, "name");
  await name.click();
  await name.pressSequentially("{{");
  await expect(page.getByRole("option").first()).toBeVisible();
  await name.pressSequentially("trg.body.name");
  await page.getByRole("option", { name: /trg\.body\.name/ }).first().click();
  await expect(name).toHaveValue("{{trg.body.name}}");
  await shoot(page, "editor-block-selected");
  await expect.poll(async () => (await definitionOf(page, workflowId)).definition).toMatchObject({
    blocks: [{ id: "trg", type: "trigger_webhook" }, { id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } }],
    edges: [{ source: "trg", target: "greet" }],
  });

  // Run with input: the canvas shows each block's status and the greeting.
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const run = page.getByRole("dialog", { name: /^Run/ });
  await run.getByLabel("Input (JSON)").fill('{"body":{"name":"Ada"}}');
  await run.getByRole("button", { name: "Start run" }).click();
  await expect(node(page, "greet").getByTestId("block-status")).toHaveText("succeeded", { timeout: 30_000 });
  await expect(node(page, "greet").getByTestId("block-output")).toContainText("Hello, Ada");
  await expect(page.getByTestId("block-run")).toContainText("Hello, Ada");
  await page.keyboard.press("Escape");
  await shoot(page, "editor-after-run");

  // Two drags of one block: two saves, one history entry (layout folding).
  const before = (await definitionOf(page, workflowId)).version;
  for (const [step, dy] of [[1, 120], [2, 60]] as const) {
    const box = (await node(page, "greet").boundingBox())!;
    await page.mouse.move(box.x + 80, box.y + 14);
    await page.mouse.down();
    await page.mouse.move(box.x + 80, box.y + 14 + dy, { steps: 8 });
    await page.mouse.up();
    await savedAt(page, before + step);
  }
  const versions = await api(page, "GET", `/api/workflows/${workflowId}/versions?limit=3`);
  expect(versions.body.data[0]).toMatchObject({ version: before + 2, folded: 2, summary: expect.stringMatching(/moved/) });
  expect(versions.body.data[1].version).toBe(before);
  expect(errors).toEqual([]);
});

test("an agent's patch appears in the open editor, history shows both, restore and undo/redo are saved", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await signUp(page, "Grace");
  const key = await api(page, "POST", "/api/keys", { name: "repair-bot" });
  expect(key.status).toBe(201);
  const workflowId = await openWorkflow(page);
  await expect(node(page, "greet")).toContainText("name: Ada");
  await shoot(page, "editor-at-rest");

  // The agent changes the greeting through the patch endpoint; the editor shows it without reload.
  const patched = await api(page, "POST", `/api/workflows/${workflowId}/operations`, { ops: [{ operation_type: "update", block_id: "greet", params: { name: "From the agent" } }] }, { "x-api-key": key.body.key });
  expect(patched.body).toMatchObject({ ok: true, version: 2 });
  await expect(node(page, "greet")).toContainText("name: From the agent", { timeout: 10_000 });
  await expect(node(page, "greet")).toContainText("Changed by agent key repair-bot");
  await savedAt(page, 2);

  // A person's edit: delete the log block with the key; undo brings it back, redo removes it again.
  await node(page, "log").click();
  await page.keyboard.press("Delete");
  await expect(node(page, "log")).toHaveCount(0);
  await savedAt(page, 3);
  expect((await definitionOf(page, workflowId)).definition.blocks.map((b) => b.id)).toEqual(["trg", "greet"]);
  await page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
  await page.keyboard.press("Control+z");
  await expect(node(page, "log")).toBeVisible();
  await savedAt(page, 4);
  const undone = (await definitionOf(page, workflowId)).definition;
  expect(undone.blocks.map((b) => b.id).sort()).toEqual(["greet", "log", "trg"]);
  expect(undone.edges).toContainEqual({ source: "greet", target: "log" });
  await page.keyboard.press("Control+Shift+z");
  await expect(node(page, "log")).toHaveCount(0);
  await savedAt(page, 5);

  // History lists the agent's save and the person's, with what each did.
  await page.getByRole("button", { name: "History" }).click();
  const history = page.getByRole("complementary", { name: "Side panel" });
  await expect(history.getByText("agent key repair-bot")).toBeVisible();
  await expect(history.getByText(/set params of greet/).first()).toBeVisible();
  await expect(history.getByText(/removed log/).first()).toBeVisible();
  await shoot(page, "editor-history");

  // Preview version 1 read-only, then restore it as version 6.
  await history.getByRole("button", { name: /Version 1\b/ }).first().click();
  await expect(page.getByTestId("preview-banner")).toContainText("Previewing version 1");
  await expect(node(page, "log")).toBeVisible();
  await page.getByTestId("preview-banner").getByRole("button", { name: "Restore this version" }).click();
  await savedAt(page, 6);
  const restored = await definitionOf(page, workflowId);
  expect(restored.definition.blocks.find((b) => b.id === "greet")?.params).toEqual({ name: "Ada" });
  expect(restored.definition.blocks.map((b) => b.id).sort()).toEqual(["greet", "log", "trg"]);
  expect(errors).toEqual([]);
});

async function secondPerson(browser: Browser, baseURL: string, owner: Page) {
  // The owner invites a member; the member signs up, accepts, and opens the same workflow.
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const email = await signUp(page, "Linus");
  const me = await api(owner, "GET", "/api/me");
  const invited = await api(owner, "POST", "/api/auth/organization/invite-member", { email, role: "member", organizationId: me.body.organization.id });
  expect(invited.status).toBe(200);
  expect((await api(page, "POST", "/api/auth/organization/accept-invitation", { invitationId: invited.body.id })).status).toBe(200);
  expect((await api(page, "POST", "/api/auth/organization/set-active", { organizationId: me.body.organization.id })).status).toBe(200);
  return { context, page };
}

test("two people edit at once: the 412 path keeps both changes and says who changed it", async ({ page, browser, baseURL }) => {
  test.setTimeout(120_000);
  await signUp(page, "Ada");
  const workflowId = await openWorkflow(page);
  const other = await secondPerson(browser, baseURL!, page);
  await other.page.goto(`/workflows/${workflowId}`);
  await savedAt(other.page, 1);
  // The second tab goes to the background, where the editor stops polling: its version goes stale.
  await other.page.evaluate(() => Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" }));

  await node(page, "greet").click();
  await paramInput(page, "name").fill("Changed by Ada");
  await savedAt(page, 2);

  await node(other.page, "log").click();
  await paramInput(other.page, "message").fill("Changed by Linus");
  await expect(other.page.getByText(/Changed elsewhere by Ada/)).toBeVisible({ timeout: 15_000 });
  await savedAt(other.page, 3);
  const both = (await definitionOf(page, workflowId)).definition;
  expect(both.blocks.find((b) => b.id === "greet")?.params).toEqual({ name: "Changed by Ada" });
  expect(both.blocks.find((b) => b.id === "log")?.params).toEqual({ message: "Changed by Linus" });
  // And the first person sees the second one's change arrive.
  await expect(node(page, "log")).toContainText("Changed by Linus", { timeout: 10_000 });
  await other.context.close();
});

test("an unknown param typed into the JSON editor shows the server's reason on the block", async ({ page }) => {
  test.setTimeout(90_000);
  await signUp(page, "Ada");
  const workflowId = await openWorkflow(page);
  await node(page, "greet").click();
  const panel = page.getByRole("complementary", { name: "Side panel" });
  await panel.getByRole("button", { name: "JSON" }).click();
  const editor = panel.locator(".cm-content").first();
  await editor.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.insertText('{"name": "Ada", "colour": "red"}');
  await expect(node(page, "greet").getByTestId("block-issue")).toContainText("colour", { timeout: 15_000 });
  await expect(panel.getByRole("alert")).toContainText("colour");
  const saved = await definitionOf(page, workflowId);
  expect(saved.definition.blocks.find((b) => b.id === "greet")?.params).toEqual({ name: "Ada" });
});

test("keyboard and layout: Ctrl-K adds a block after the selected one, Ctrl-D duplicates, an agent's unplaced workflow is laid out and tidied", async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await signUp(page, "Ada");
  // An agent's workflow: no positions at all.
  const unplaced = {
    blocks: GREETER.blocks.map((block) => ({ id: block.id, type: block.type, params: block.params })),
    edges: GREETER.edges,
  };
  const workflowId = await openWorkflow(page, unplaced as typeof GREETER);
  const boxes = await Promise.all(["trg", "greet", "log"].map(async (id) => (await node(page, id).boundingBox())!));
  // Laid out left to right, without overlaps.
  expect(boxes[0].x + boxes[0].width).toBeLessThan(boxes[1].x);
  expect(boxes[1].x + boxes[1].width).toBeLessThan(boxes[2].x);

  // Ctrl-K with greet selected: a Log block added after it, connected from it.
  await node(page, "greet").click();
  await page.keyboard.press("Escape");
  await node(page, "greet").click();
  await page.locator(".react-flow__pane").hover({ position: { x: 10, y: 10 } });
  await page.keyboard.press("Control+k");
  const palette = page.getByRole("dialog", { name: "Command palette" });
  await palette.getByRole("combobox").fill("transform");
  await palette.getByRole("option", { name: /Transform/ }).first().click();
  await expect(node(page, "transform")).toBeVisible();
  await savedAt(page, 2);
  expect((await definitionOf(page, workflowId)).definition.edges).toContainEqual({ source: "greet", target: "transform" });

  // Ctrl-D duplicates the selection (the new block is selected after the add).
  await page.locator(".react-flow__pane").hover({ position: { x: 10, y: 10 } });
  await page.keyboard.press("Control+d");
  await expect(node(page, "transform_2")).toBeVisible();
  await savedAt(page, 3);

  // Tidy up saves a position for every block.
  await page.getByRole("button", { name: "Tidy up" }).click();
  await savedAt(page, 4);
  const tidied = (await definitionOf(page, workflowId)).definition;
  expect(tidied.blocks.every((block) => block.position !== undefined)).toBe(true);
  expect(errors).toEqual([]);
});
