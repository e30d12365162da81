import { expect, test } from "@playwright/test";
import { api, shoot, signUp, watchErrors } from "./support";

/**
 * A run with child runs (call_workflow) on its page, against `npm start` (its worker included):
 * the parent lists its children, each linking to its page, and a child links back to its parent.
 */

const trigger = { id: "trg", type: "trigger_manual", params: {}, position: { x: 0, y: 0 } };

test("a parent run lists its child runs, and a child's page links back to the parent", async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await signUp(page, "Ada");
  const child = await api(page, "POST", "/api/workflows", {
    name: "Greet one",
    definition: { blocks: [trigger, { id: "greet", type: "greet", params: { name: "{{trg.name}}" }, position: { x: 320, y: 0 } }], edges: [{ source: "trg", target: "greet" }] },
  });
  expect(child.status).toBe(201);
  const parent = await api(page, "POST", "/api/workflows", {
    name: "Greet everyone",
    definition: {
      blocks: [trigger, { id: "each", type: "call_workflow", params: { workflow_id: child.body.id, items: "{{trg.people}}" }, position: { x: 320, y: 0 } }],
      edges: [{ source: "trg", target: "each" }],
    },
  });
  expect(parent.body.validation_errors).toEqual([]);
  const started = await api(page, "POST", `/api/workflows/${parent.body.id}/run`, { input: { people: [{ name: "Ada" }, { name: "Grace" }] } });
  expect(started.status).toBe(202);
  await expect.poll(async () => (await api(page, "GET", `/api/runs/${started.body.runId}`)).body.status, { timeout: 30_000 }).toBe("succeeded");

  await page.goto(`/runs/${started.body.runId}`);
  const children = page.getByTestId("child-runs");
  await expect(children).toContainText("Child runs (2)");
  await expect(children.getByRole("link")).toHaveCount(2);
  // The workflow's name, its canvas and the timeline load after the first paint: shoot the finished page.
  await expect(page.getByRole("heading", { name: "Greet everyone" })).toBeVisible();
  await expect(page.getByText(/^[1-9][0-9]* block attempts?$/)).toBeVisible();
  await expect(page.locator(".react-flow__node").first()).toBeVisible();
  await shoot(page, "run-with-children");
  await children.getByRole("link").first().click();
  await expect(page.getByTestId("parent-run")).toHaveText(started.body.runId);
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded");
  await page.getByTestId("parent-run").click();
  await expect(page).toHaveURL(new RegExp(`/runs/${started.body.runId}$`));
  expect(errors).toEqual([]);
});
