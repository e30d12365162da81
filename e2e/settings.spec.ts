/**
 * Settings, invitations and schedules in the browser: API keys shown once and revoked, a member
 * invited by link who signs up through /invite/<id>, secrets added, replaced and deleted, and
 * schedules created, refused, switched off and explained when their workflow fails to start.
 */
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

// The e2e server runs with better-auth's per-IP limiter off (playwright.config.ts): the suite signs
// up more people in a minute than one address may, and X-Forwarded-For is not trusted without a proxy.
let clients = 0;

async function signUp(page: Page, name: string): Promise<{ email: string; organizationName: string }> {
  clients += 1;
  const email = `${name.toLowerCase().replace(/[^a-z]+/g, "-")}-${Date.now()}-${clients}@example.com`;
  const response = await page.request.post("/api/auth/sign-up/email", {
    data: { email, name, password: "correct-horse-battery" },
  });
  expect(response.status(), await response.text()).toBe(200);
  return { email, organizationName: `${name}'s organization` };
}

/** A JSON call from the page, with its session cookie and its Origin (as the app itself calls). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary response JSON
async function callApi(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const response = await fetch(path, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    { method, path, body },
  );
}

/** Console errors and page errors, except the network errors a step expects (e.g. the API's own 400). */
function watchConsole(page: Page, expected: RegExp[] = []): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && !expected.some((pattern) => pattern.test(message.text()))) errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  return errors;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `e2e/screenshots/${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `e2e/screenshots/${name}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function meWithKey(request: APIRequestContext, key: string): Promise<number> {
  return (await request.get("/api/me", { headers: { "x-api-key": key } })).status();
}

test("an owner creates an API key, sees it once, uses it, and revoking it in the UI locks it out", async ({ page, context, request }) => {
  const errors = watchConsole(page);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signUp(page, "Kim");
  await page.goto("/settings?tab=keys");
  await expect(page.getByRole("heading", { name: "No API keys yet" })).toBeVisible();
  await shoot(page, "settings-keys-empty");

  await page.getByRole("button", { name: "Create key" }).first().click();
  await page.getByLabel("Name").fill("ci agent");
  await page.getByLabel("Expires after (days)").fill("30");
  await page.getByRole("dialog").getByRole("button", { name: "Create key" }).click();
  await expect(page.getByRole("heading", { name: "Copy your new API key" })).toBeVisible();
  const key = (await page.getByTestId("secret-value").textContent())?.trim() ?? "";
  expect(key).toMatch(/^weft_[A-Za-z0-9]{20,}$/);
  await page.getByRole("button", { name: "Copy the API key" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await shoot(page, "settings-keys-shown-once");
  await page.getByRole("button", { name: "I have copied it" }).click();
  await expect(page.getByTestId("secret-value")).toHaveCount(0);

  expect(await meWithKey(request, key)).toBe(200);

  // The list names the key, its start, its creator and when it was used; never the key itself.
  await page.reload();
  const row = page.getByTestId("api-key").filter({ hasText: "ci agent" });
  await expect(row).toContainText(key.slice(0, 6));
  await expect(row).toContainText("Kim");
  await expect(row.locator("td").nth(4)).not.toHaveText("Never");
  expect(await page.content()).not.toContain(key);
  await shoot(page, "settings-keys");

  await row.getByRole("button", { name: "Revoke ci agent" }).click();
  await expect(page.getByRole("dialog")).toContainText("Revoke ci agent?");
  await page.getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByTestId("api-key")).toHaveCount(0);
  expect(await meWithKey(request, key)).toBe(401);
  expect(errors).toEqual([]);
});

test("an owner invites by link; the invitee signs up through /invite/<id>, joins, sees the owner's workflow, cannot manage keys until made an admin, and can leave", async ({ page, browser }) => {
  const errors = watchConsole(page);
  const owner = await signUp(page, "Olga");
  await page.goto("/settings?tab=members");
  const workflow = await callApi(page, "POST", "/api/workflows", { name: "Olga's nightly report" });
  expect(workflow.status).toBe(201);

  await expect(page.getByTestId("member")).toHaveCount(1);
  const inviteeEmail = `ivan-${Date.now()}@example.com`;
  await page.getByRole("button", { name: "Invite" }).click();
  await page.getByLabel("Email").fill(inviteeEmail);
  await page.getByLabel("Role").selectOption("member");
  await page.getByRole("button", { name: "Create invitation" }).click();
  const link = (await page.getByTestId("invite-link").textContent())?.trim() ?? "";
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("invitation").filter({ hasText: inviteeEmail })).toBeVisible();
  await shoot(page, "settings-members");

  // The invitee: a browser of their own, signed out, from another address.
  const inviteeContext = await browser.newContext();
  const invitee = await inviteeContext.newPage();
  const inviteeErrors = watchConsole(invitee);
  const path = new URL(link).pathname;
  await invitee.goto(path);
  await expect(invitee.getByRole("heading", { name: "You have been invited to Weft" })).toBeVisible();
  await shoot(invitee, "invite-signed-out");
  await invitee.getByRole("link", { name: "Create an account" }).click();
  await expect(invitee).toHaveURL(new RegExp(`/sign-up\\?next=${encodeURIComponent(path).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  await invitee.getByLabel("Name").fill("Ivan");
  await invitee.getByLabel("Email").fill(inviteeEmail);
  await invitee.getByLabel("Password").fill("correct-horse-battery");
  await invitee.getByRole("button", { name: "Create account" }).click();

  await expect(invitee).toHaveURL(new RegExp(`${path}$`));
  await expect(invitee.getByRole("heading", { name: `Join ${owner.organizationName}` })).toBeVisible();
  await expect(invitee.getByText("You join as member")).toBeVisible();
  await shoot(invitee, "invite-signed-in");
  await invitee.getByRole("button", { name: "Accept and join" }).click();

  await expect(invitee).toHaveURL(/\/workflows$/);
  await expect(invitee.getByTestId("active-organization")).toHaveText(owner.organizationName);
  const workflows = await callApi(invitee, "GET", "/api/workflows");
  expect(workflows.body.data.map((w: { name: string }) => w.name)).toContain("Olga's nightly report");
  // The owner's workflow is also what the member schedules from.
  await invitee.goto("/schedules");
  await invitee.getByRole("button", { name: "New schedule" }).first().click();
  await expect(invitee.getByLabel("Workflow").locator("option", { hasText: "Olga's nightly report" })).toHaveCount(1);
  await invitee.keyboard.press("Escape");

  await invitee.goto("/settings?tab=keys");
  await expect(invitee.getByTestId("keys-read-only")).toContainText("Only owners and admins manage API keys.");
  await expect(invitee.getByTestId("keys-read-only")).toContainText("Olga");
  await expect(invitee.getByRole("button", { name: "Create key" })).toHaveCount(0);
  await shoot(invitee, "settings-keys-member");

  await invitee.goto("/settings?tab=members");
  await expect(invitee.getByTestId("member")).toHaveCount(2);
  await expect(invitee.getByRole("button", { name: "Invite" })).toBeDisabled();
  await shoot(invitee, "settings-members-member");

  // The owner's list shows the new member, and the invitation is no longer pending.
  await page.reload();
  await expect(page.getByTestId("member").filter({ hasText: inviteeEmail })).toBeVisible();
  await expect(page.getByTestId("invitation")).toHaveCount(0);

  // Made an admin, the member can manage keys.
  await page.getByLabel("Role of Ivan").selectOption("admin");
  await expect(page.getByText("Ivan is now an admin")).toBeVisible();
  await invitee.goto("/settings?tab=keys");
  await expect(invitee.getByRole("button", { name: "Create key" }).first()).toBeEnabled();
  await expect(invitee.getByTestId("keys-read-only")).toHaveCount(0);

  await page.goto("/settings?tab=general");
  await expect(page.getByLabel("Organization name")).toHaveValue(owner.organizationName);
  await shoot(page, "settings-general");

  // Leaving: the invitee's own organization becomes active again.
  await invitee.goto("/settings?tab=members");
  await invitee.getByRole("button", { name: "Leave organization" }).click();
  await invitee.getByRole("dialog").getByRole("button", { name: "Leave organization" }).click();
  await expect(invitee).toHaveURL(/\/workflows$/);
  await expect(invitee.getByTestId("active-organization")).toHaveText("Ivan's organization");
  await page.goto("/settings?tab=members");
  await expect(page.getByTestId("member")).toHaveCount(1);

  // The used link now says plainly that it cannot be used (better-auth answers 400 for it).
  const beforeUsedLink = inviteeErrors.length;
  await invitee.goto(path);
  await expect(invitee.getByRole("heading", { name: "This invitation cannot be used" })).toBeVisible();
  await shoot(invitee, "invite-used");
  const usedLinkErrors = inviteeErrors.splice(beforeUsedLink);
  for (const error of usedLinkErrors) expect(error).toMatch(/status of 400 .*\/api\/auth\/organization\/get-invitation/);

  // Owners rename the organization; the switcher follows.
  await page.goto("/settings?tab=general");
  await page.getByLabel("Organization name").fill("Olga & Co");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("active-organization")).toHaveText("Olga & Co");

  await inviteeContext.close();
  expect(errors).toEqual([]);
  expect(inviteeErrors).toEqual([]);
});

test("secrets: add one, see its name, give it a new value, delete it; the value never appears", async ({ page }) => {
  const errors = watchConsole(page);
  await signUp(page, "Sana");
  // The tab lives in the URL: chosen by a click, kept by a reload.
  await page.goto("/settings");
  await page.getByRole("tab", { name: "Secrets" }).click();
  await expect(page).toHaveURL(/\/settings\?tab=secrets$/);
  await page.reload();
  await expect(page.getByRole("tab", { name: "Secrets" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("heading", { name: "No secrets yet" })).toBeVisible();

  await page.getByRole("button", { name: "Add secret" }).first().click();
  await page.getByLabel("Name").fill("slack token");
  await page.getByLabel("Value").fill("xoxb-first-value");
  await page.getByRole("dialog").getByRole("button", { name: "Add secret" }).click();
  await expect(page.getByRole("dialog").getByRole("alert")).toContainText("Not a secret name");
  await page.getByLabel("Name").fill("SLACK_TOKEN");
  await page.getByRole("dialog").getByRole("button", { name: "Add secret" }).click();
  const row = page.getByTestId("secret").filter({ hasText: "SLACK_TOKEN" });
  await expect(row).toBeVisible();
  const created = (await callApi(page, "GET", "/api/secrets")).body.data[0];
  await shoot(page, "settings-secrets");

  await row.getByRole("button", { name: "Update SLACK_TOKEN" }).click();
  await expect(page.getByLabel("Name")).toHaveValue("SLACK_TOKEN");
  await page.getByLabel("New value").fill("xoxb-second-value");
  await page.getByRole("button", { name: "Save new value" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  const updated = (await callApi(page, "GET", "/api/secrets")).body.data;
  expect(updated).toHaveLength(1);
  expect(Date.parse(updated[0].updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
  const html = await page.content();
  expect(html).not.toContain("xoxb-first-value");
  expect(html).not.toContain("xoxb-second-value");

  await row.getByRole("button", { name: "Delete SLACK_TOKEN" }).click();
  await page.getByRole("button", { name: "Delete secret" }).click();
  await expect(page.getByRole("heading", { name: "No secrets yet" })).toBeVisible();
  expect((await callApi(page, "GET", "/api/secrets")).body.data).toEqual([]);
  expect(errors).toEqual([]);
});

test("schedules: create one in the UI, see its words and next runs, edit it; a bad cron is refused inline; off means no next runs; failures and deleted workflows are explained; delete one", async ({ page }) => {
  test.setTimeout(150_000);
  // The bad cron's 400 is the API answering as designed; the browser logs every 4xx fetch.
  const errors = watchConsole(page, [/status of 400 \(Bad Request\)/]);
  await signUp(page, "Sam");
  await page.goto("/schedules");
  await expect(page.getByRole("heading", { name: "No schedules yet" })).toBeVisible();
  const report = (await callApi(page, "POST", "/api/workflows", { name: "Morning report" })).body;
  // A workflow with no trigger does not validate, so its every-minute schedule fails to start a run.
  const broken = (await callApi(page, "POST", "/api/workflows", { name: "Unfinished draft", definition: { blocks: [{ id: "say", type: "log", params: { message: "hello" } }], edges: [] } })).body;
  expect(broken.validation_errors.length).toBeGreaterThan(0);
  await shoot(page, "schedules-empty");

  await page.getByRole("button", { name: "New schedule" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Workflow").selectOption(report.id);
  await dialog.getByLabel("Cron expression").fill("0 9 * * 1-5");
  await expect(dialog.getByTestId("cron-description")).toHaveText("At 09:00 AM, Monday through Friday");
  await dialog.getByLabel("Time zone").selectOption("Europe/Berlin");
  await dialog.getByLabel("Run input (optional)").fill('{ "report": "daily" }');
  await shoot(page, "schedules-dialog");
  await dialog.getByRole("button", { name: "Create schedule" }).click();
  await expect(dialog).toHaveCount(0);

  const item = page.getByTestId("schedule").filter({ hasText: "Morning report" });
  await expect(item.getByTestId("schedule-words")).toHaveText("At 09:00 AM, Monday through Friday");
  await expect(item).toContainText("Europe/Berlin");
  await item.getByRole("button", { name: "Show the next 5" }).click();
  await expect(item.getByTestId("next-run")).toHaveCount(5);
  for (const text of await item.getByTestId("next-run").allTextContents()) expect(text).toMatch(/(Mon|Tue|Wed|Thu|Fri) .*09:00/);
  await shoot(page, "schedules");

  // A cron the server refuses: its message under the field, and nothing created.
  await page.getByRole("button", { name: "New schedule" }).click();
  await dialog.getByLabel("Workflow").selectOption(report.id);
  await dialog.getByLabel("Cron expression").fill("61 * * * *");
  await expect(dialog.getByTestId("cron-description")).toContainText("not a cron expression we can read");
  await dialog.getByRole("button", { name: "Create schedule" }).click();
  await expect(dialog.getByRole("alert")).toContainText("The minute 61 is out of range (0-59).");
  await shoot(page, "schedules-dialog-bad-cron");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect((await callApi(page, "GET", "/api/schedules")).body.data).toHaveLength(1);

  // Editing goes through the same dialog, prefilled.
  await item.getByRole("button", { name: "Edit the schedule of Morning report" }).click();
  await expect(dialog.getByLabel("Cron expression")).toHaveValue("0 9 * * 1-5");
  await expect(dialog.getByLabel("Time zone")).toHaveValue("Europe/Berlin");
  await dialog.getByLabel("Cron expression").fill("30 8 * * *");
  await dialog.getByRole("button", { name: "Save schedule" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(item.getByTestId("schedule-words")).toHaveText("At 08:30 AM");

  await item.getByRole("switch", { name: "Disable the schedule of Morning report" }).click();
  await expect(item.getByTestId("no-next-runs")).toHaveText("Off: no upcoming runs");
  await expect(item.getByTestId("next-run")).toHaveCount(0);
  const [stored] = (await callApi(page, "GET", "/api/schedules")).body.data;
  expect(stored).toMatchObject({ enabled: false, nextRuns: [] });

  // Deleting a workflow turns its schedules off, and the list says why.
  const doomed = (await callApi(page, "POST", "/api/workflows", { name: "Retired job" })).body;
  expect((await callApi(page, "POST", "/api/schedules", { workflowId: doomed.id, cron: "@daily" })).status).toBe(201);
  expect((await callApi(page, "DELETE", `/api/workflows/${doomed.id}`)).status).toBe(204);

  // The broken workflow's schedule fires at the next minute; the ticker records why it did not start.
  expect((await callApi(page, "POST", "/api/schedules", { workflowId: broken.id, cron: "* * * * *", timezone: "UTC" })).status).toBe(201);
  await page.reload();
  const orphaned = page.getByTestId("schedule").filter({ hasText: "Turned off by Weft: its workflow was deleted." });
  await expect(orphaned).toContainText("Deleted workflow");
  await expect(orphaned.getByRole("switch")).toBeDisabled();
  const failing = page.getByTestId("schedule").filter({ hasText: "Unfinished draft" });
  await expect(failing).toContainText("The last run did not start", { timeout: 100_000 });
  await expect(failing.getByRole("table")).toContainText("the workflow has no trigger block");
  await shoot(page, "schedules-failing");

  await orphaned.getByRole("button", { name: "Delete the schedule of Deleted workflow" }).click();
  await expect(page.getByRole("dialog")).toContainText("@daily");
  await page.getByRole("button", { name: "Delete schedule" }).click();
  await expect(page.getByTestId("schedule")).toHaveCount(2);
  expect(errors).toEqual([]);
});
