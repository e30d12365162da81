/**
 * `/api/schedules` and `POST /api/admin/tick` through HTTP (docs/runs.md, "Schedules"): create, list, read,
 * change and delete; cron, zone and workflow validation; another organization's schedules are
 * 404; the admin tick fires only the caller's organization and only for owner/admin sessions.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { call, createApiKey, createTestApp, joinOrganization, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow } from "../helpers/runtime";

let app: TestApp;
let owner: TestUser;
let member: TestUser;
let admin: TestUser;
let stranger: TestUser;
let key: Record<string, string>;
let workflowId: string;
let strangerWorkflowId: string;

const definition = {
  blocks: [
    { id: "trg", type: "trigger_schedule", params: {} },
    { id: "greet", type: "greet", params: { name: "{{trg.name}}" } },
  ],
  edges: [{ source: "trg", target: "greet" }],
};

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app);
  stranger = await signUp(app);
  member = await joinOrganization(app, owner, "member");
  admin = await joinOrganization(app, owner, "admin");
  key = (await createApiKey(app, owner)).headers;
  workflowId = await createWorkflow(app, key, definition, "scheduled");
  strangerWorkflowId = await createWorkflow(app, stranger.bearer, definition, "theirs");
});

afterAll(async () => {
  await app?.close();
});

async function create(body: Record<string, unknown>, headers = key) {
  return call(app, "POST", "/api/schedules", { headers, body: { workflowId, ...body } });
}

async function created(body: Record<string, unknown>, headers = key) {
  const res = await create(body, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function makeDue(scheduleId: string): Promise<void> {
  await app.database.sql`UPDATE schedules SET next_fire_at = now() - interval '1 minute' WHERE id = ${scheduleId}`;
}

/** A resource without its fire times, which move on as the clock does. */
function settled(resource: Record<string, unknown>) {
  const { nextRuns: _nextRuns, ...rest } = resource;
  return rest;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/;

describe("create and read", () => {
  test("an API key creates a schedule: 201 with an sch_ id, UTC by default, no input, enabled, and the next five fire times", async () => {
    const before = Date.now();
    const res = await create({ cron: "*/15 * * * *" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^sch_[a-z0-9]{20}$/),
      workflowId,
      cron: "*/15 * * * *",
      timezone: "UTC",
      input: null,
      enabled: true,
      disabledReason: null,
      nextRuns: [expect.stringMatching(ISO), expect.any(String), expect.any(String), expect.any(String), expect.any(String)],
      lastFiredAt: null,
      lastRunId: null,
      lastError: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const times = res.body.nextRuns.map((t: string) => Date.parse(t));
    expect(times[0]).toBeGreaterThan(before);
    expect(times[0] - before).toBeLessThanOrEqual(15 * 60_000);
    expect(new Date(times[0]).getUTCMinutes() % 15).toBe(0);
    for (let i = 1; i < 5; i++) expect(times[i] - times[i - 1]).toBe(15 * 60_000);
  });

  test("a member session creates a schedule with a zone, input and enabled flag, and reads it back unchanged", async () => {
    const body = await created({ cron: "0 9 * * MON-FRI", timezone: "America/New_York", input: { name: "Ada", n: [1, 2] }, enabled: true }, member.bearer);
    expect(body).toMatchObject({ timezone: "America/New_York", input: { name: "Ada", n: [1, 2] } });
    for (const t of body.nextRuns) {
      const local = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false }).format(new Date(t));
      expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    }
    const read = await call(app, "GET", `/api/schedules/${body.id}`, { headers: owner.bearer });
    expect(read.status).toBe(200);
    expect(settled(read.body)).toEqual(settled(body));
  });

  test("a schedule created disabled has no upcoming fire times and is never due", async () => {
    const body = await created({ cron: "* * * * *", enabled: false });
    expect(body).toMatchObject({ enabled: false, disabledReason: null, nextRuns: [] });
    const [row] = await app.database.sql`SELECT next_fire_at FROM schedules WHERE id = ${body.id}`;
    expect(row.next_fire_at).toBeNull();
  });

  test("the list pages newest first with cursors and filters by workflowId", async () => {
    const other = await createWorkflow(app, key, definition, "other");
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await created({ workflowId: other, cron: `${i} * * * *` })).id);
    const first = await call(app, "GET", `/api/schedules?workflowId=${other}&limit=2`, { headers: key });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.data[0].nextRuns).toHaveLength(5);
    const second = await call(app, "GET", `/api/schedules?workflowId=${other}&limit=2&cursor=${first.body.nextCursor}`, { headers: key });
    expect(second.body).toMatchObject({ data: [expect.any(Object)], nextCursor: null });
    const paged = [...first.body.data, ...second.body.data];
    expect(paged.map((s) => s.id).sort()).toEqual([...mine].sort());
    const order = paged.map((s) => [s.createdAt, s.id].join(" "));
    expect(order).toEqual([...order].sort().reverse()); // newest first, id breaking ties
    const all = await call(app, "GET", "/api/schedules?limit=100", { headers: key });
    expect(all.body.data.length).toBeGreaterThan(3);
    expect(all.body.data.every((s: { workflowId: string }) => [workflowId, other].includes(s.workflowId))).toBe(true);
    expect((await call(app, "GET", "/api/schedules?cursor=nonsense", { headers: key })).body.error).toBe("invalid_cursor");
  });
});

describe("validation", () => {
  test.each([
    ["six fields (seconds)", "0 */5 * * * *"],
    ["seven fields (year)", "0 0 12 * * * 2030"],
    ["minute 61", "61 * * * *"],
    ["garbage", "every day at noon"],
    ["empty", ""],
    ["@reboot", "@reboot"],
    ["a croner extension (L)", "0 0 L * *"],
    ["a date that never comes", "0 0 31 2 *"],
  ])("a cron with %s → 400 invalid_cron with a message, and nothing is created", async (_label, cron) => {
    const before = await app.database.sql`SELECT count(*)::int AS n FROM schedules`;
    const res = await create({ cron });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "invalid_cron", message: expect.any(String) });
    const after = await app.database.sql`SELECT count(*)::int AS n FROM schedules`;
    expect(after[0].n).toBe(before[0].n);
  });

  test("@hourly and @daily are accepted as nicknames", async () => {
    expect((await created({ cron: "@hourly" })).nextRuns).toHaveLength(5);
    expect((await created({ cron: "@daily", timezone: "Europe/Berlin" })).cron).toBe("@daily");
  });

  test.each([["Mars/Olympus"], ["+02:00"], ["not a zone"], [""]])("the zone %j → 400 invalid_timezone", async (timezone) => {
    const res = await create({ cron: "* * * * *", timezone });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_timezone", message: expect.stringContaining("IANA") });
  });

  test("a workflow of another organization, a deleted one and an unknown one → 404 workflow_not_found", async () => {
    expect((await create({ cron: "* * * * *", workflowId: strangerWorkflowId })).body).toMatchObject({ error: "workflow_not_found" });
    const doomed = await createWorkflow(app, key, definition, "doomed");
    expect((await call(app, "DELETE", `/api/workflows/${doomed}`, { headers: key })).status).toBe(204);
    const deleted = await create({ cron: "* * * * *", workflowId: doomed });
    expect(deleted.status).toBe(404);
    expect(deleted.body.error).toBe("workflow_not_found");
    expect((await create({ cron: "* * * * *", workflowId: "wf_nope" })).status).toBe(404);
  });

  test("unknown fields and wrong types → 400 invalid_body", async () => {
    expect((await create({ cron: "* * * * *", every: "minute" })).body.error).toBe("invalid_body");
    expect((await create({ cron: 5 })).body.error).toBe("invalid_body");
    expect((await create({ cron: "* * * * *", enabled: "yes" })).body.error).toBe("invalid_body");
    expect((await call(app, "POST", "/api/schedules", { headers: key, body: { cron: "* * * * *" } })).body.error).toBe("invalid_body");
  });
});

describe("change and delete", () => {
  test("PATCH changes the cron and zone and recomputes the fire times; a bad cron changes nothing", async () => {
    const schedule = await created({ cron: "0 0 1 1 *" });
    const res = await call(app, "PATCH", `/api/schedules/${schedule.id}`, { headers: key, body: { cron: "30 2 * * *", timezone: "Europe/Berlin" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: schedule.id, cron: "30 2 * * *", timezone: "Europe/Berlin" });
    expect(Date.parse(res.body.nextRuns[0]) - Date.now()).toBeLessThanOrEqual(25 * 3_600_000);
    const [row] = await app.database.sql`SELECT to_json(next_fire_at) #>> '{}' AS next FROM schedules WHERE id = ${schedule.id}`;
    expect(new Date(row.next).toISOString()).toBe(res.body.nextRuns[0]);

    const bad = await call(app, "PATCH", `/api/schedules/${schedule.id}`, { headers: key, body: { cron: "61 * * * *" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_cron");
    const badZone = await call(app, "PATCH", `/api/schedules/${schedule.id}`, { headers: key, body: { timezone: "Nowhere/Land" } });
    expect(badZone.body.error).toBe("invalid_timezone");
    const read = await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key });
    expect(read.body).toMatchObject({ cron: "30 2 * * *", timezone: "Europe/Berlin" });
  });

  test("PATCH replaces the input, and disabling empties the fire times", async () => {
    const schedule = await created({ cron: "* * * * *", input: { a: 1 } });
    const res = await call(app, "PATCH", `/api/schedules/${schedule.id}`, { headers: key, body: { input: { b: 2 }, enabled: false } });
    expect(res.body).toMatchObject({ input: { b: 2 }, enabled: false, disabledReason: null, nextRuns: [] });
  });

  test("re-enabling a schedule the system disabled clears disabledReason and fires from the next slot after now", async () => {
    const schedule = await created({ cron: "*/5 * * * *" });
    await app.database.sql`
      UPDATE schedules SET enabled = false, disabled_reason = 'workflow_deleted', next_fire_at = NULL,
        last_fired_slot = now() - interval '3 days' WHERE id = ${schedule.id}`;
    expect((await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key })).body).toMatchObject({ enabled: false, disabledReason: "workflow_deleted" });
    const before = Date.now();
    const res = await call(app, "PATCH", `/api/schedules/${schedule.id}`, { headers: key, body: { enabled: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ enabled: true, disabledReason: null });
    const [row] = await app.database.sql`SELECT to_json(next_fire_at) #>> '{}' AS next FROM schedules WHERE id = ${schedule.id}`;
    const next = Date.parse(row.next);
    expect(next).toBeGreaterThan(before);
    expect(next - before).toBeLessThanOrEqual(5 * 60_000);
  });

  test("a person re-arming a failing schedule (new cron or zone, or enabled again) resets its backoff and lastError; other edits keep them", async () => {
    const schedule = await created({ cron: "*/5 * * * *" });
    const fail = () => app.database.sql`
      UPDATE schedules SET dispatch_failures = 6, last_error = 'The run could not be started', last_error_at = now()
      WHERE id = ${schedule.id}`;
    await fail();
    const input = await call(app, "PATCH", `/api/schedules/${schedule.id}`, { headers: key, body: { input: { x: 1 } } });
    expect(input.body.lastError).toMatchObject({ message: "The run could not be started", attempts: 6 });

    const recron = await call(app, "PATCH", `/api/schedules/${schedule.id}`, { headers: key, body: { cron: "*/10 * * * *" } });
    expect(recron.status).toBe(200);
    expect(recron.body.lastError).toBeNull();
    const [row] = await app.database.sql`SELECT dispatch_failures, last_error, last_error_at FROM schedules WHERE id = ${schedule.id}`;
    expect(row).toEqual({ dispatch_failures: 0, last_error: null, last_error_at: null });

    await fail();
    await call(app, "PATCH", `/api/schedules/${schedule.id}`, { headers: key, body: { enabled: false } });
    const disabled = await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key });
    expect(disabled.body.lastError).toMatchObject({ attempts: 6 });
    const enabled = await call(app, "PATCH", `/api/schedules/${schedule.id}`, { headers: key, body: { enabled: true } });
    expect(enabled.body.lastError).toBeNull();
  });

  test("enabling a schedule whose workflow is deleted → 404 workflow_not_found", async () => {
    const doomed = await createWorkflow(app, key, definition, "doomed later");
    const schedule = await created({ workflowId: doomed, cron: "* * * * *", enabled: false });
    await call(app, "DELETE", `/api/workflows/${doomed}`, { headers: key });
    const res = await call(app, "PATCH", `/api/schedules/${schedule.id}`, { headers: key, body: { enabled: true } });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("workflow_not_found");
  });

  test("deleting a workflow disables its schedules at once (workflow_deleted, no fire times), without any tick; other workflows' schedules stay enabled", async () => {
    const doomed = await createWorkflow(app, key, definition, "doomed with schedules");
    const hourly = await created({ workflowId: doomed, cron: "0 * * * *" });
    const paused = await created({ workflowId: doomed, cron: "0 0 * * *", enabled: false });
    const bystander = await created({ cron: "0 * * * *" });
    expect(hourly.nextRuns).toHaveLength(5);

    expect((await call(app, "DELETE", `/api/workflows/${doomed}`, { headers: key })).status).toBe(204);

    for (const id of [hourly.id, paused.id]) {
      const read = await call(app, "GET", `/api/schedules/${id}`, { headers: key });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ enabled: false, disabledReason: "workflow_deleted", nextRuns: [] });
    }
    const listed = await call(app, "GET", `/api/schedules?workflowId=${doomed}`, { headers: key });
    expect(listed.body.data.map((s: { id: string; enabled: boolean; disabledReason: string }) => [s.id, s.enabled, s.disabledReason]).sort()).toEqual(
      [
        [hourly.id, false, "workflow_deleted"],
        [paused.id, false, "workflow_deleted"],
      ].sort(),
    );
    const rows = await app.database.sql`SELECT id FROM schedules WHERE workflow_id = ${doomed} AND (enabled OR next_fire_at IS NOT NULL)`;
    expect(rows).toEqual([]);
    const other = await call(app, "GET", `/api/schedules/${bystander.id}`, { headers: key });
    expect(other.body).toMatchObject({ enabled: true, disabledReason: null });
    expect(other.body.nextRuns).toHaveLength(5);
  });

  test("a workflow DELETE refused for a stale If-Match leaves its schedules enabled", async () => {
    const kept = await createWorkflow(app, key, definition, "kept");
    const schedule = await created({ workflowId: kept, cron: "0 * * * *" });
    const refused = await call(app, "DELETE", `/api/workflows/${kept}`, { headers: { ...key, "if-match": '"99"' } });
    expect(refused.status).toBe(412);
    const read = await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key });
    expect(read.body).toMatchObject({ enabled: true, disabledReason: null });
    expect(read.body.nextRuns).toHaveLength(5);
  });

  test("DELETE → 204, then the schedule is gone (404 on read, change and delete)", async () => {
    const schedule = await created({ cron: "* * * * *" });
    expect((await call(app, "DELETE", `/api/schedules/${schedule.id}`, { headers: key })).status).toBe(204);
    expect((await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key })).status).toBe(404);
    expect((await call(app, "PATCH", `/api/schedules/${schedule.id}`, { headers: key, body: { enabled: false } })).status).toBe(404);
    expect((await call(app, "DELETE", `/api/schedules/${schedule.id}`, { headers: key })).status).toBe(404);
  });
});

describe("isolation", () => {
  test("another organization's schedule is 404 not_found on GET, PATCH and DELETE, is not listed, and is left unchanged", async () => {
    const theirs = await created({ workflowId: strangerWorkflowId, cron: "0 0 * * *" }, stranger.bearer);
    for (const [method, body] of [["GET", undefined], ["PATCH", { enabled: false }], ["DELETE", undefined]] as const) {
      const res = await call(app, method, `/api/schedules/${theirs.id}`, { headers: key, body });
      expect(res.status, method).toBe(404);
      expect(res.body.error).toBe("not_found");
    }
    const list = await call(app, "GET", "/api/schedules?limit=100", { headers: key });
    expect(list.body.data.map((s: { id: string }) => s.id)).not.toContain(theirs.id);
    const filtered = await call(app, "GET", `/api/schedules?workflowId=${strangerWorkflowId}`, { headers: key });
    expect(filtered.body.data).toEqual([]);
    const read = await call(app, "GET", `/api/schedules/${theirs.id}`, { headers: stranger.bearer });
    expect(settled(read.body)).toEqual(settled(theirs));
  });
});

describe("POST /api/admin/tick", () => {
  // Schedules of the tests above (e.g. every minute) may come due while this runs: turn them off
  // so each tick's answer is exactly what the test made due.
  beforeAll(async () => {
    await app.database.sql`UPDATE schedules SET enabled = false, next_fire_at = NULL`;
  });

  test("an owner's tick fires the due schedules of the owner's organization only, and returns the runs it started", async () => {
    const ours = await created({ cron: "0 0 1 1 *", input: { name: "Ada" } });
    const theirs = await created({ workflowId: strangerWorkflowId, cron: "0 0 1 1 *" }, stranger.bearer);
    await makeDue(ours.id);
    await makeDue(theirs.id);

    const tick = await call(app, "POST", "/api/admin/tick", { headers: owner.bearer });
    expect(tick.status).toBe(200);
    const slot = new Date(Date.UTC(new Date().getUTCFullYear(), 0, 1)).toISOString();
    expect(tick.body.started).toEqual([{ scheduleId: ours.id, runId: expect.stringMatching(/^run_/), slot }]);

    const run = await call(app, "GET", `/api/runs/${tick.body.started[0].runId}`, { headers: key });
    expect(run.body).toMatchObject({ workflowId, trigger: "schedule", input: { name: "Ada" } });
    const read = await call(app, "GET", `/api/schedules/${ours.id}`, { headers: key });
    expect(read.body).toMatchObject({ lastRunId: tick.body.started[0].runId, lastFiredAt: expect.any(String) });

    const theirRuns = await app.database.sql`SELECT id FROM runs WHERE idempotency_key LIKE ${`schedule:${theirs.id}:%`}`;
    expect(theirRuns).toEqual([]);
    expect((await call(app, "POST", "/api/admin/tick", { headers: owner.bearer })).body.started).toEqual([]);
    // Their own tick fires theirs.
    const their = await call(app, "POST", "/api/admin/tick", { headers: stranger.bearer });
    expect(their.body.started.map((s: { scheduleId: string }) => s.scheduleId)).toEqual([theirs.id]);
  });

  test("an admin session may tick; a member session and an API key get 403 forbidden and fire nothing", async () => {
    const schedule = await created({ cron: "0 0 1 1 *" });
    await makeDue(schedule.id);
    for (const headers of [member.bearer, key]) {
      const res = await call(app, "POST", "/api/admin/tick", { headers });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe("forbidden");
    }
    const runs = await app.database.sql`SELECT id FROM runs WHERE idempotency_key LIKE ${`schedule:${schedule.id}:%`}`;
    expect(runs).toEqual([]);
    const res = await call(app, "POST", "/api/admin/tick", { headers: admin.bearer });
    expect(res.status).toBe(200);
    expect(res.body.started.map((s: { scheduleId: string }) => s.scheduleId)).toEqual([schedule.id]);
  });

  test("a tick disables a schedule left enabled on a deleted workflow, and the API shows why", async () => {
    const doomed = await createWorkflow(app, key, definition, "doomed by tick");
    const schedule = await created({ workflowId: doomed, cron: "0 0 1 1 *" });
    // Deleted without the DELETE route (which disables the schedule itself), as by an older control plane.
    await app.database.sql`UPDATE workflows SET deleted_at = now() WHERE id = ${doomed}`;
    await makeDue(schedule.id);
    const tick = await call(app, "POST", "/api/admin/tick", { headers: owner.bearer });
    expect(tick.body).toMatchObject({ started: [], disabled: [schedule.id] });
    const read = await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key });
    expect(read.body).toMatchObject({ enabled: false, disabledReason: "workflow_deleted", nextRuns: [] });
  });

  test("unauthenticated → 401", async () => {
    expect((await call(app, "POST", "/api/admin/tick")).status).toBe(401);
    expect((await call(app, "GET", "/api/schedules")).status).toBe(401);
  });
});
