import { expect, test } from "@playwright/test";
import { api, shoot, signUp, watchErrors } from "./support";

/**
 * The `code` block against `npm start` (its worker included): its code param is a JavaScript
 * editor in the side panel, an edit there is saved as written, and a run executes it in the
 * sandbox with the resolved input.
 */

const definition = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {}, position: { x: 0, y: 0 } },
    {
      id: "calc",
      type: "code",
      params: { code: 'console.log("items", input.items.length);\nreturn { total: input.items.reduce((sum, n) => sum + n, 0) };', input: { items: "{{trg.items}}" } },
      position: { x: 320, y: 0 },
    },
  ],
  edges: [{ source: "trg", target: "calc" }],
};

test("a code block is edited in a JavaScript editor and runs in the sandbox", async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await signUp(page, "Ada");
  const created = await api(page, "POST", "/api/workflows", { name: "Totals", definition });
  expect(created.status).toBe(201);
  await page.goto(`/workflows/${created.body.id}`);
  await expect(page.getByTestId("save-status")).toHaveText("Saved · v1");

  await page.locator('.react-flow__node[data-id="calc"]').click();
  const field = page.getByRole("complementary", { name: "Side panel" }).locator('[data-param="code"]');
  const editor = field.locator(".cm-content");
  await expect(editor).toContainText("input.items.reduce");
  await shoot(page, "code-block");

  // Typed `{{` gets no template completion here: the code is used as written.
  await editor.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.insertText('return { total: input.items.length * 10, note: "{{as written}}" };');
  await expect(page.getByTestId("save-status")).toHaveText("Saved · v2", { timeout: 15_000 });
  const saved = await api(page, "GET", `/api/workflows/${created.body.id}`);
  expect(saved.body.definition.blocks[1].params.code).toBe('return { total: input.items.length * 10, note: "{{as written}}" };');

  const started = await api(page, "POST", `/api/workflows/${created.body.id}/run`, { input: { items: [1, 2, 3] } });
  expect(started.status).toBe(202);
  await expect
    .poll(async () => (await api(page, "GET", `/api/runs/${started.body.runId}`)).body.status, { timeout: 30_000 })
    .toBe("succeeded");
  const run = await api(page, "GET", `/api/runs/${started.body.runId}`);
  expect(run.body.output.calc).toEqual({ value: { total: 30, note: "{{as written}}" } });
  expect(errors).toEqual([]);
});
