import { execFileSync } from "node:child_process";
import { expect, test, type Page } from "@playwright/test";
import { api, shoot as shootBoth, signUp, watchErrors } from "./support";

/**
 * The workflows pages in a browser, against the app and worker started by `npm start`: the list
 * (empty state, create, search, paging, rename, delete), one workflow's page (blocks, Run, runs,
 * webhook endpoints and their deliveries), and the 404 page for another organization's workflow.
 */

/** Full-page screenshots at 1280 and 390 px wide, named after this spec. */
const shoot = (page: Page, name: string) => shootBoth(page, `workflows-${name}`, true);

test("a person creates a workflow, gives it blocks, runs it, wires a webhook, then renames and deletes it", async ({ page, request }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page, []);
  await signUp(page, "Ada");
  await expect(page.getByRole("heading", { name: "No workflows yet" })).toBeVisible();
  await shoot(page, "list-empty");

  await page.getByRole("button", { name: "New workflow" }).first().click();
  const create = page.getByRole("dialog", { name: "New workflow" });
  await create.getByLabel("Name", { exact: true }).fill("Greeter");
  await create.getByLabel("Description").fill("Says hello to whoever calls the webhook");
  await shoot(page, "new-dialog");
  await create.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/wf_[a-z0-9]+$/);
  const workflowId = page.url().split("/").pop()!;
  await expect(page.getByRole("heading", { name: "Greeter", level: 1 })).toBeVisible();
  // The editor opens first; the Blocks tab shows the definition as a table.
  await expect(page.getByTestId("workflow-editor")).toBeVisible();
  await page.getByRole("tab", { name: "Blocks" }).click();
  await expect(page.getByRole("heading", { name: "No blocks yet" })).toBeVisible();
  await shoot(page, "overview-empty");

  // An agent gives it blocks through the patch endpoint; the Overview picks them up by itself.
  const patched = await api(page, "POST", `/api/workflows/${workflowId}/operations`, {
    ops: [
      { operation_type: "add", block_id: "trg", type: "trigger_webhook" },
      { operation_type: "add", block_id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } },
      { operation_type: "connect", block_id: "trg", target_block_id: "greet" },
    ],
  });
  expect(patched.body).toMatchObject({ ok: true, saved: true, version: 2 });
  await expect(page.getByTestId("block-row")).toHaveCount(2, { timeout: 15_000 });
  await expect(page.getByTestId("block-row").filter({ hasText: "greet" }).last()).toContainText("name: {{trg.body.name}}");
  await expect(page.getByText("v2", { exact: true })).toBeVisible();
  await shoot(page, "overview");

  // Run from the UI: bad JSON is caught before sending, good JSON starts a run and opens it.
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const runDialog = page.getByRole("dialog", { name: "Run “Greeter”" });
  await runDialog.getByLabel("Input (JSON)").fill('{"body": {"name": Ada}}');
  await runDialog.getByRole("button", { name: "Start run" }).click();
  await expect(runDialog.getByText(/This is not valid JSON/)).toBeVisible();
  await runDialog.getByLabel("Input (JSON)").fill('{"body":{"name":"Ada"}}');
  await shoot(page, "run-dialog");
  await runDialog.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/runs\/run_[a-z0-9]+$/);
  const runId = page.url().split("/").pop()!;
  const run = await api(page, "GET", `/api/runs/${runId}`);
  expect(run.status).toBe(200);
  expect(run.body).toMatchObject({ workflowId, trigger: "manual", input: { body: { name: "Ada" } } });
  await expect.poll(async () => (await api(page, "GET", `/api/runs/${runId}`)).body.status, { timeout: 30_000 }).toBe("succeeded");

  await page.goto(`/workflows/${workflowId}?tab=runs`);
  await expect(page.getByRole("link", { name: `Run ${runId}` }).first()).toBeVisible();
  await expect(page.locator(`[data-status="succeeded"]`).first()).toBeVisible();
  await expect(page.getByRole("link", { name: "Open in the runs console" })).toHaveAttribute("href", `/runs?workflowId=${workflowId}`);
  await shoot(page, "runs");

  // A webhook endpoint: its secret is shown once, with a curl that works as shown.
  await page.getByRole("tab", { name: "Webhooks" }).click();
  await expect(page).toHaveURL(/\?tab=webhooks$/);
  await expect(page.getByRole("heading", { name: "No webhook endpoints" })).toBeVisible();
  await shoot(page, "webhooks-empty");
  await page.getByRole("button", { name: "Create endpoint" }).click();
  const createHook = page.getByRole("dialog", { name: "Create a webhook endpoint" });
  await expect(createHook.getByRole("checkbox", { name: "POST" })).toBeChecked();
  await createHook.getByRole("button", { name: "Create endpoint" }).click();
  const created = page.getByRole("dialog", { name: "Webhook endpoint created" });
  const url = (await created.getByTestId("webhook-url").textContent())!.trim();
  const secret = (await created.getByTestId("secret-value").textContent())!.trim();
  expect(url).toMatch(/\/api\/webhooks\/whk_[a-z0-9]+$/);
  await expect(created.getByTestId("webhook-curl")).toContainText(`Authorization: Bearer ${secret}`);
  await expect(created.getByTestId("webhook-curl")).toContainText(url);
  await expect(created.getByText("shown only this once")).toBeVisible();
  await shoot(page, "webhook-created");
  const delivered = await request.post(url, { headers: { authorization: `Bearer ${secret}` }, data: { name: "Grace" } });
  expect(delivered.status()).toBe(202);
  const deliveryId = (await delivered.json()).runId as string;
  // The signed example is a working script too: bash + openssl, as shown.
  const signed = (await created.getByTestId("webhook-signed").textContent())!;
  const signedAnswer = JSON.parse(execFileSync("bash", ["-euo", "pipefail", "-c", signed], { encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"] }));
  expect(signedAnswer.runId).toMatch(/^run_/);
  await created.getByRole("button", { name: "I have copied the secret" }).click();
  await expect(page.getByRole("link", { name: new RegExp(`^Delivery ${deliveryId}: `) })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("link", { name: new RegExp(`^Delivery ${signedAnswer.runId}: `) })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("link", { name: `Delivery ${deliveryId}: succeeded` })).toBeVisible({ timeout: 30_000 });

  // Rotating shows a new secret once and keeps the old one working for a day.
  await page.getByRole("button", { name: "Rotate secret" }).click();
  await page.getByRole("dialog", { name: "Rotate this endpoint's secret?" }).getByRole("button", { name: "Rotate secret" }).click();
  const rotated = page.getByRole("dialog", { name: "Secret rotated" });
  await expect(rotated.getByText(/previous secret keeps working for 24 hours/)).toBeVisible();
  const newSecret = (await rotated.getByTestId("secret-value").textContent())!.trim();
  expect(newSecret).not.toBe(secret);
  await rotated.getByRole("button", { name: "I have copied the secret" }).click();
  await expect(page.getByText(/Secret rotated .*ago|Secret rotated just now/)).toBeVisible();
  await shoot(page, "webhooks");

  // How the endpoint answers: at once by default; set to wait, a call without ?wait gets the finished run.
  const endpointCard = page.getByTestId("webhook-endpoint");
  await expect(endpointCard.getByTestId("webhook-answering")).toHaveText("Answers 202 at once");
  await endpointCard.getByRole("button", { name: "Answering" }).click();
  const answering = page.getByRole("dialog", { name: "How this endpoint answers" });
  await answering.getByRole("radio", { name: /Wait for the workflow/ }).check();
  await answering.getByLabel("Wait up to").fill("40");
  await expect(answering.getByRole("alert")).toHaveText("Pick a whole number of seconds from 1 to 30.");
  await expect(answering.getByRole("button", { name: "Save" })).toBeDisabled();
  await answering.getByLabel("Wait up to").fill("15");
  await shoot(page, "webhook-answering");
  await answering.getByRole("button", { name: "Save" }).click();
  await expect(answering).toBeHidden();
  await expect(endpointCard.getByTestId("webhook-answering")).toHaveText("Waits up to 15 s for the workflow's answer");
  const waited = await request.post(url, { headers: { authorization: `Bearer ${newSecret}` }, data: { name: "Lin" } });
  expect(waited.status()).toBe(200);
  expect(await waited.json()).toMatchObject({ status: "succeeded", output: { greet: { message: "Hello, Lin!" } } });
  await shoot(page, "webhooks-waiting");

  // Rename and delete from the list.
  await page.getByRole("link", { name: "Workflows" }).first().click();
  await expect(page).toHaveURL(/\/workflows$/);
  const row = page.getByTestId("workflow-row").filter({ hasText: "Greeter" });
  await expect(row.getByRole("link", { name: /^Last run: (succeeded|queued|running)/ })).toBeVisible();
  await expect(row).toContainText("by you");
  await shoot(page, "list");
  await page.getByRole("button", { name: "Actions for Greeter" }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  const rename = page.getByRole("dialog", { name: "Rename workflow" });
  await rename.getByLabel("Name").fill("Greeter (renamed)");
  await rename.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("link", { name: "Greeter (renamed)" })).toBeVisible();
  await page.getByRole("button", { name: "Actions for Greeter (renamed)" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete “Greeter (renamed)”?" });
  await shoot(page, "delete-dialog");
  await confirm.getByRole("button", { name: "Delete workflow" }).click();
  await expect(page.getByRole("heading", { name: "No workflows yet" })).toBeVisible();
  expect((await api(page, "GET", `/api/workflows/${workflowId}`)).status).toBe(404);
  expect(errors).toEqual([]);
});

test("search filters the list and stays in the URL; paging walks the pages; delete from a workflow's page", async ({ page, request }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page, []);
  await signUp(page, "Searcher");
  // An agent key creates them, so the person's own request budget is left to the page.
  const key = (await api(page, "POST", "/api/keys", { name: "e2e agent" })).body.key as string;
  const make = async (name: string) => {
    const res = await request.post("/api/workflows", { headers: { "x-api-key": key }, data: { name } });
    expect(res.status()).toBe(201);
    return (await res.json()).id as string;
  };
  const invoiceId = await make("Invoice sync");
  await make("Lead intake");
  for (let i = 1; i <= 21; i++) await make(`Batch job ${String(i).padStart(2, "0")}`);

  await page.goto("/workflows");
  const rows = page.getByTestId("workflow-row");
  await expect(rows).toHaveCount(20);
  await expect(rows.first()).toContainText("Batch job 21");
  await expect(rows.first()).toContainText("by agent key e2e agent");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText("Page 2")).toBeVisible();
  await expect(rows).toHaveCount(3);
  await expect(rows.last()).toContainText("Invoice sync");
  await page.getByRole("button", { name: "Previous" }).click();
  await expect(rows).toHaveCount(20);

  const search = page.getByRole("searchbox", { name: "Search workflows by name" });
  await search.fill("LEAD");
  await expect(page).toHaveURL(/\/workflows\?q=LEAD$/);
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("Lead intake");
  await shoot(page, "search");
  await search.fill("no such thing");
  await expect(page.getByRole("heading", { name: "No workflows match “no such thing”" })).toBeVisible();
  await shoot(page, "search-empty");
  await page.getByRole("button", { name: "Clear the search" }).first().click();
  await expect(page).toHaveURL(/\/workflows$/);
  await expect(rows).toHaveCount(20);

  await page.goto("/workflows?q=invoice");
  await expect(search).toHaveValue("invoice");
  await expect(rows).toHaveCount(1);
  await rows.getByRole("link", { name: "Invoice sync" }).click();
  await expect(page).toHaveURL(`/workflows/${invoiceId}`);
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Delete “Invoice sync”?" }).getByRole("button", { name: "Delete workflow" }).click();
  await expect(page).toHaveURL(/\/workflows$/);
  await search.fill("invoice");
  await expect(page.getByRole("heading", { name: "No workflows match “invoice”" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("another organization's workflow, and an unknown id, are the 404 page", async ({ page, browser, baseURL }) => {
  // Run answers 422 here on purpose (the workflow does not validate); the browser logs that fetch.
  const errors = watchErrors(page, [/status of 422.*\/api\/workflows\/wf_[a-z0-9]+\/run/]);
  await signUp(page, "Owner");
  const created = await api(page, "POST", "/api/workflows", {
    name: "Private pipeline",
    definition: { blocks: [{ id: "trg", type: "trigger_manual", params: {} }, { id: "greet", type: "greet", params: {} }], edges: [{ source: "trg", target: "greet" }] },
  });
  expect(created.status).toBe(201);

  const other = await browser.newContext({ baseURL });
  const stranger = await other.newPage();
  // The page asks the API, which answers 404 for another organization's id: the browser logs that fetch.
  const strangerErrors = watchErrors(stranger, [/status of 404.*\/api\/workflows\/wf_/]);
  await signUp(stranger, "Stranger");
  await stranger.goto(`/workflows/${created.body.id}`);
  await expect(stranger.getByRole("heading", { name: "We could not find that" })).toBeVisible();
  await expect(stranger.getByText("Private pipeline")).toHaveCount(0);
  await shoot(stranger, "not-found");
  await stranger.goto("/workflows/wf_doesnotexist0000000000");
  await expect(stranger.getByRole("heading", { name: "We could not find that" })).toBeVisible();
  await other.close();

  // The owner sees it; it does not validate, so Run lists what to fix instead of starting.
  await page.goto(`/workflows/${created.body.id}`);
  await expect(page.getByRole("heading", { name: "Private pipeline", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const runDialog = page.getByRole("dialog", { name: "Run “Private pipeline”" });
  await runDialog.getByRole("button", { name: "Start run" }).click();
  const problems = runDialog.getByRole("alert");
  await expect(problems).toContainText("This workflow cannot run yet");
  await expect(problems.getByRole("listitem")).toHaveCount(1);
  await expect(problems.getByRole("listitem")).toContainText("greet · name");
  await expect(page).toHaveURL(`/workflows/${created.body.id}`);
  await shoot(page, "run-invalid");
  expect(errors).toEqual([]);
  expect(strangerErrors).toEqual([]);
});

test("a new user runs the greeter starter without the API: create from the starter, Run with input, watch it succeed and greet on the run page", async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await signUp(page, "Newcomer");
  await page.getByRole("button", { name: "New workflow" }).first().click();
  const create = page.getByRole("dialog", { name: "New workflow" });
  await create.getByLabel("Name", { exact: true }).fill("My first workflow");
  await create.getByRole("radio", { name: /Greeter/ }).check();
  await shoot(page, "new-dialog-starter");
  await create.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/wf_[a-z0-9]+$/);
  // The editor draws the starter's blocks with their connectors' names.
  await expect(page.getByTestId("editor-canvas").locator(".react-flow__node").filter({ hasText: "Webhook trigger" })).toBeVisible();

  await page.getByRole("button", { name: "Run", exact: true }).click();
  const runDialog = page.getByRole("dialog", { name: "Run “My first workflow”" });
  await runDialog.getByLabel("Input (JSON)").fill('{"body":{"name":"Ada"}}');
  await runDialog.getByRole("button", { name: "Start run" }).click();
  // The editor draws the run it started; its link opens the run's page.
  await page.getByTestId("drawn-run").click();
  await expect(page).toHaveURL(/\/runs\/run_[a-z0-9]+$/);
  // The run page follows the run live: it reaches succeeded and the greet block's output greets Ada.
  const greetRow = page.locator('[data-testid="timeline-row"][data-block-id="greet"]');
  await expect(greetRow).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await greetRow.getByRole("button", { expanded: false }).first().click();
  await expect(greetRow.getByText('"message": "Hello, Ada!"')).toBeVisible();
  expect(errors).toEqual([]);
});
