/**
 * The schedule ticker (docs/runs.md, "Schedules") against real Postgres and the real runtime: each due slot fires
 * exactly once (one run, idempotency key `schedule:<id>:<slot>`), even with 50 passes racing on
 * their own connections; a failed dispatch is retried with backoff, never lost, and shows on the
 * schedule until one succeeds; missed slots coalesce; a schedule left enabled on a deleted
 * workflow is disabled; and the loop fires schedules in a running worker.
 * Schedules are created through the API; only `next_fire_at` is moved into the past with SQL.
 */
import { Writable } from "node:stream";
import pino from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startScheduleTicker } from "@/lib/schedules/ticker-loop";
import { runTickerPass, type DispatchRun, type TickerDeps } from "@/lib/schedules/ticker";
import { call, createApiKey, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, finishedRun, startTestWorker } from "../helpers/runtime";
import { until } from "../helpers/until";
import { greeting } from "./support";

let app: TestApp;
let owner: TestUser;
let stranger: TestUser;
let key: Record<string, string>;
let workflowId: string;

/** Once a year, so a schedule is only due when a test makes it due. */
const YEARLY = "0 0 1 1 *";

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app);
  stranger = await signUp(app);
  key = (await createApiKey(app, owner)).headers;
  workflowId = await createWorkflow(app, key, greeting, "scheduled");
});

afterAll(async () => {
  await app?.close();
});

function deps(sql: postgres.Sql = app.database.sql): TickerDeps {
  return { sql, db: app.database.db, runtime: app.runtime, logger: app.logger };
}

/** One pass over the owner's organization (other tests' schedules in this database stay out of it). */
function pass(options: Parameters<typeof runTickerPass>[1] = {}) {
  return runTickerPass(deps(), { organizationId: owner.organizationId, ...options });
}

async function createSchedule(body: Record<string, unknown>, headers = key): Promise<{ id: string; [k: string]: unknown }> {
  const res = await call(app, "POST", "/api/schedules", { headers, body: { workflowId, cron: YEARLY, input: { name: "Ada" }, ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Moves next_fire_at into the past, as if the ticker had not run for a while. */
async function makeDue(scheduleId: string, ago = "1 minute"): Promise<void> {
  await app.database.sql`UPDATE schedules SET next_fire_at = now() - ${ago}::interval WHERE id = ${scheduleId}`;
}

/** The ticker's columns of a schedule, timestamps as Dates (drizzle's pool hands them over as text). */
async function scheduleRow(scheduleId: string) {
  const [row] = await app.database.sql<{ next_fire_at: string | null; last_fired_slot: string | null; last_fired_at: string | null; last_run_id: string | null; enabled: boolean }[]>`
    SELECT to_json(next_fire_at) #>> '{}' AS next_fire_at, to_json(last_fired_slot) #>> '{}' AS last_fired_slot,
      to_json(last_fired_at) #>> '{}' AS last_fired_at, last_run_id, enabled
    FROM schedules WHERE id = ${scheduleId}`;
  const date = (value: string | null) => (value === null ? null : new Date(value));
  return { ...row, next_fire_at: date(row.next_fire_at), last_fired_slot: date(row.last_fired_slot), last_fired_at: date(row.last_fired_at) };
}

/** Every run a schedule started (its runs carry the key `schedule:<id>:<slot>`). */
async function runsOf(scheduleId: string) {
  return app.database.sql<{ id: string; idempotency_key: string; trigger: string; input: unknown }[]>`
    SELECT id, idempotency_key, trigger, input FROM runs WHERE idempotency_key LIKE ${`schedule:${scheduleId}:%`} ORDER BY created_at`;
}

function thisYearsSlot(): string {
  return new Date(Date.UTC(new Date().getUTCFullYear(), 0, 1)).toISOString();
}

describe("exactly once per slot", () => {
  test("a due schedule fires its slot once: the first pass starts one run, the second starts none", async () => {
    const schedule = await createSchedule({});
    await makeDue(schedule.id);

    const first = await pass();
    expect(first.started).toEqual([{ scheduleId: schedule.id, runId: expect.stringMatching(/^run_/), slot: thisYearsSlot() }]);
    const second = await pass();
    expect(second).toEqual({ started: [], failed: [], disabled: [] });

    const runs = await runsOf(schedule.id);
    expect(runs).toEqual([
      { id: first.started[0].runId, idempotency_key: `schedule:${schedule.id}:${thisYearsSlot()}`, trigger: "schedule", input: { name: "Ada" } },
    ]);
    const row = await scheduleRow(schedule.id);
    expect(row.last_run_id).toBe(runs[0].id);
    expect(row.last_fired_slot?.toISOString()).toBe(thisYearsSlot());
    expect(row.next_fire_at?.toISOString()).toBe(new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1)).toISOString());
  });

  test("a schedule whose slot already fired is only moved on when it is due again: no second run for the same slot", async () => {
    const schedule = await createSchedule({});
    await makeDue(schedule.id);
    await pass();
    await makeDue(schedule.id); // e.g. next_fire_at left behind by an operator; the slot is still this year's
    const again = await pass();
    expect(again.started).toEqual([]);
    expect(await runsOf(schedule.id)).toHaveLength(1);
    expect((await scheduleRow(schedule.id)).next_fire_at!.getTime()).toBeGreaterThan(Date.now());
  });

  test("50 tickers racing on one due schedule, each on its own connection, start exactly one run and dispatch once", async () => {
    const schedule = await createSchedule({});
    await makeDue(schedule.id);
    const pool = postgres(app.database.url, { max: 50, onnotice: () => {} });
    let dispatches = 0;
    // Slow dispatch: the winner holds the row lock while the other 49 passes look for due rows.
    const slowDispatch: DispatchRun = async (...args) => {
      dispatches++;
      await new Promise((res) => setTimeout(res, 200));
      return app.runtime.dispatch(...args);
    };
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => runTickerPass(deps(pool), { organizationId: owner.organizationId, dispatch: slowDispatch })),
      );
      expect(results.flatMap((r) => r.started).map((s) => s.scheduleId)).toEqual([schedule.id]);
      expect(results.flatMap((r) => r.failed)).toEqual([]);
    } finally {
      await pool.end();
    }
    expect(dispatches).toBe(1);
    expect(await runsOf(schedule.id)).toHaveLength(1);
  });

  test("50 tickers racing over 20 due schedules in small batches fire each schedule exactly once", async () => {
    const schedules = await Promise.all(Array.from({ length: 20 }, () => createSchedule({})));
    await Promise.all(schedules.map((s) => makeDue(s.id)));
    const pool = postgres(app.database.url, { max: 50, onnotice: () => {} });
    const dispatched: string[] = [];
    const recordingDispatch: DispatchRun = async (organizationId, workflow, options) => {
      dispatched.push(options.idempotencyKey!);
      await new Promise((res) => setTimeout(res, 20));
      return app.runtime.dispatch(organizationId, workflow, options);
    };
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          runTickerPass(deps(pool), { organizationId: owner.organizationId, dispatch: recordingDispatch, batchSize: 2 }),
        ),
      );
      const started = results.flatMap((r) => r.started).map((s) => s.scheduleId);
      expect(started.sort()).toEqual(schedules.map((s) => s.id).sort());
    } finally {
      await pool.end();
    }
    expect(dispatched).toHaveLength(20);
    expect(new Set(dispatched).size).toBe(20);
    for (const s of schedules) expect(await runsOf(s.id)).toHaveLength(1);
  });
});

describe("no slot is lost", () => {
  test("a dispatch that fails leaves the schedule due, and the next pass fires that slot once", async () => {
    const schedule = await createSchedule({});
    await makeDue(schedule.id);
    const before = await scheduleRow(schedule.id);
    let calls = 0;
    const failsFirst: DispatchRun = async (...args) => {
      calls++;
      if (calls === 1) throw new Error("connection reset while enqueueing");
      return app.runtime.dispatch(...args);
    };

    const failed = await pass({ dispatch: failsFirst });
    expect(failed).toEqual({ started: [], failed: [schedule.id], disabled: [] });
    expect(await scheduleRow(schedule.id)).toEqual(before);
    expect(await runsOf(schedule.id)).toEqual([]);

    const retried = await pass({ dispatch: failsFirst });
    expect(retried.started).toEqual([{ scheduleId: schedule.id, runId: expect.any(String), slot: thisYearsSlot() }]);
    expect(await pass({ dispatch: failsFirst })).toEqual({ started: [], failed: [], disabled: [] });
    expect(calls).toBe(2);
    const runs = await runsOf(schedule.id);
    expect(runs.map((r) => r.idempotency_key)).toEqual([`schedule:${schedule.id}:${thisYearsSlot()}`]);
  });

  test("a pass that dispatched but failed before recording it is retried with the same key and starts no second run", async () => {
    const schedule = await createSchedule({});
    await makeDue(schedule.id);
    let calls = 0;
    const dispatchesThenFails: DispatchRun = async (...args) => {
      calls++;
      const result = await app.runtime.dispatch(...args);
      if (calls === 1) throw new Error("the ticker died after the run was stored");
      return result;
    };

    expect((await pass({ dispatch: dispatchesThenFails })).failed).toEqual([schedule.id]);
    const [run] = await runsOf(schedule.id);
    expect(run).toBeDefined();

    const retried = await pass({ dispatch: dispatchesThenFails });
    expect(retried).toEqual({ started: [], failed: [], disabled: [] }); // the slot's run already existed
    expect(await runsOf(schedule.id)).toHaveLength(1);
    const row = await scheduleRow(schedule.id);
    expect(row.last_run_id).toBe(run.id);
    expect(row.next_fire_at!.getTime()).toBeGreaterThan(Date.now());
  });

  test("a dispatch that keeps failing backs off (next pass, then 2 s, then 4 s): passes inside the wait do not retry, the slot fires once, and lastError shows it until then", async () => {
    const schedule = await createSchedule({});
    await makeDue(schedule.id);
    // The pass clock runs a minute ahead, so each retry time is exactly clock + delay.
    const t0 = Date.now() + 60_000;
    const at = (ms: number) => new Date(t0 + ms);
    let failing = true;
    let calls = 0;
    const flaky: DispatchRun = async (...args) => {
      calls++;
      if (failing) throw new Error(`queue unavailable (attempt ${calls})`);
      return app.runtime.dispatch(...args);
    };
    const lastError = async () => (await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key })).body.lastError;
    const nothing = { started: [], failed: [], disabled: [] };

    // First failure: recorded, and the slot stays due for the very next pass.
    expect(await pass({ now: at(0), dispatch: flaky })).toEqual({ started: [], failed: [schedule.id], disabled: [] });
    expect(await lastError()).toEqual({ message: "queue unavailable (attempt 1)", at: expect.stringMatching(/Z$/), attempts: 1 });
    expect((await scheduleRow(schedule.id)).next_fire_at!.getTime()).toBeLessThan(Date.now());

    // Second failure: held back 2 s.
    expect((await pass({ now: at(0), dispatch: flaky })).failed).toEqual([schedule.id]);
    expect((await scheduleRow(schedule.id)).next_fire_at?.toISOString()).toBe(at(2_000).toISOString());
    expect(await pass({ now: at(1_999), dispatch: flaky })).toEqual(nothing);
    expect(calls).toBe(2);

    // After the wait it is retried; the third failure holds it back 4 s.
    expect((await pass({ now: at(2_000), dispatch: flaky })).failed).toEqual([schedule.id]);
    expect(calls).toBe(3);
    expect((await scheduleRow(schedule.id)).next_fire_at?.toISOString()).toBe(at(6_000).toISOString());
    expect(await lastError()).toEqual({ message: "queue unavailable (attempt 3)", at: expect.any(String), attempts: 3 });
    expect(await pass({ now: at(5_999), dispatch: flaky })).toEqual(nothing);
    expect(calls).toBe(3);
    expect(await runsOf(schedule.id)).toEqual([]);

    // The dispatch recovers: the same slot fires once, and the error is cleared.
    failing = false;
    const fired = await pass({ now: at(6_000), dispatch: flaky });
    expect(fired.started).toEqual([{ scheduleId: schedule.id, runId: expect.stringMatching(/^run_/), slot: thisYearsSlot() }]);
    expect(await pass({ now: at(6_000), dispatch: flaky })).toEqual(nothing);
    expect(calls).toBe(4);
    const runs = await runsOf(schedule.id);
    expect(runs.map((r) => r.idempotency_key)).toEqual([`schedule:${schedule.id}:${thisYearsSlot()}`]);
    const read = await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key });
    expect(read.body).toMatchObject({ lastError: null, lastRunId: runs[0].id });
  });

  test("the wait after many failures in a row is capped at 5 minutes", async () => {
    const schedule = await createSchedule({});
    await makeDue(schedule.id);
    await app.database.sql`UPDATE schedules SET dispatch_failures = 40 WHERE id = ${schedule.id}`;
    const now = new Date(Date.now() + 60_000);
    const failing: DispatchRun = async () => {
      throw new Error("still down");
    };
    expect((await pass({ now, dispatch: failing })).failed).toEqual([schedule.id]);
    expect((await scheduleRow(schedule.id)).next_fire_at?.toISOString()).toBe(new Date(now.getTime() + 5 * 60_000).toISOString());
    const read = await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key });
    expect(read.body.lastError).toEqual({ message: "still down", at: expect.any(String), attempts: 41 });
    // Leave nothing due for later tests.
    expect((await call(app, "DELETE", `/api/schedules/${schedule.id}`, { headers: key })).status).toBe(204);
  });

  test("slots missed while no ticker ran coalesce into one firing of the latest slot", async () => {
    const schedule = await createSchedule({ cron: "* * * * *" });
    const now = new Date();
    const latest = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    // Last fired three hours ago: 180 one-minute slots were missed.
    await app.database.sql`
      UPDATE schedules SET last_fired_slot = ${new Date(latest.getTime() - 3 * 3_600_000).toISOString()}::timestamptz,
        next_fire_at = ${new Date(latest.getTime() - 3 * 3_600_000 + 60_000).toISOString()}::timestamptz WHERE id = ${schedule.id}`;

    const result = await pass({ now });
    expect(result.started).toEqual([{ scheduleId: schedule.id, runId: expect.any(String), slot: latest.toISOString() }]);
    expect(await runsOf(schedule.id)).toHaveLength(1);
    const row = await scheduleRow(schedule.id);
    expect(row.last_fired_slot?.toISOString()).toBe(latest.toISOString());
    expect(row.next_fire_at?.toISOString()).toBe(new Date(latest.getTime() + 60_000).toISOString());
    expect((await pass({ now })).started).toEqual([]);
    // Every minute is due again soon: delete it so later passes only see their own schedules.
    expect((await call(app, "DELETE", `/api/schedules/${schedule.id}`, { headers: key })).status).toBe(204);
  });
});

describe("what a pass fires", () => {
  test("a schedule left enabled on a deleted workflow is disabled with reason workflow_deleted, visible in the API, and starts no run", async () => {
    const doomed = await createWorkflow(app, key, greeting, "doomed");
    const schedule = await createSchedule({ workflowId: doomed });
    // Deleted without its schedules being turned off, as by a control plane older than the DELETE
    // route that disables them (tests/api/schedules.test.ts), e.g. during a rolling deploy.
    await app.database.sql`UPDATE workflows SET deleted_at = now() WHERE id = ${doomed}`;
    await makeDue(schedule.id);

    expect(await pass()).toEqual({ started: [], failed: [], disabled: [schedule.id] });
    expect(await runsOf(schedule.id)).toEqual([]);
    const read = await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key });
    expect(read.body).toMatchObject({ enabled: false, disabledReason: "workflow_deleted", nextRuns: [] });
    expect(await pass()).toEqual({ started: [], failed: [], disabled: [] });
  });

  test("a disabled schedule is never fired, even with a past next_fire_at", async () => {
    const schedule = await createSchedule({ enabled: false });
    await makeDue(schedule.id);
    expect((await pass()).started).toEqual([]);
    expect(await runsOf(schedule.id)).toEqual([]);
  });

  test("a pass limited to one organization leaves another organization's due schedules alone", async () => {
    const theirWorkflow = await createWorkflow(app, stranger.bearer, greeting, "theirs");
    const theirs = await createSchedule({ workflowId: theirWorkflow }, stranger.bearer);
    await makeDue(theirs.id);

    expect((await pass()).started).toEqual([]);
    expect(await runsOf(theirs.id)).toEqual([]);
    const own = await runTickerPass(deps(), { organizationId: stranger.organizationId });
    expect(own.started.map((s) => s.scheduleId)).toEqual([theirs.id]);
  });
});

describe("a workflow that does not validate", () => {
  test("never runs on a schedule: the slot is not fired, lastError carries workflow_invalid and the validation errors, and it backs off like a failed dispatch", async () => {
    // greet without its required `name`: a missing_required_param validation error.
    const invalidId = await createWorkflow(app, key, { blocks: [{ id: "trg", type: "trigger_schedule", params: {} }, { id: "greet", type: "greet", params: {} }], edges: [{ source: "trg", target: "greet" }] }, "invalid");
    const schedule = await createSchedule({ workflowId: invalidId });
    await makeDue(schedule.id);
    let dispatches = 0;
    const counting: DispatchRun = async (...args) => {
      dispatches++;
      return app.runtime.dispatch(...args);
    };

    // The pass clock runs a minute ahead, so each retry time is exactly clock + delay.
    const t0 = Date.now() + 60_000;
    const at = (ms: number) => new Date(t0 + ms);

    expect(await pass({ now: at(0), dispatch: counting })).toEqual({ started: [], failed: [schedule.id], disabled: [] });
    const shown = (await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key })).body;
    expect(shown.lastError).toEqual({
      message: expect.stringContaining("validation error"),
      at: expect.stringMatching(/Z$/),
      attempts: 1,
      code: "workflow_invalid",
      validation_errors: [expect.objectContaining({ code: "missing_required_param", block_id: "greet", field: "name" })],
    });
    // The next pass tries again (the workflow may have been fixed) and is refused again, backing off.
    expect((await pass({ now: at(0), dispatch: counting })).failed).toEqual([schedule.id]);
    expect((await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key })).body.lastError.attempts).toBe(2);
    // Held back 2 s, as the second failed dispatch is: a pass inside the wait does not try again.
    expect((await scheduleRow(schedule.id)).next_fire_at?.toISOString()).toBe(at(2_000).toISOString());
    expect(await pass({ now: at(1_999), dispatch: counting })).toEqual({ started: [], failed: [], disabled: [] });
    expect((await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key })).body.lastError.attempts).toBe(2);
    expect(dispatches).toBe(0);
    expect(await runsOf(schedule.id)).toEqual([]);
    const listed = await call(app, "GET", `/api/runs?workflowId=${invalidId}`, { headers: key });
    expect(listed.body.data).toEqual([]);

    // Once fixed, the same slot fires, and the error is cleared.
    const fix = await call(app, "POST", `/api/workflows/${invalidId}/operations`, {
      headers: key,
      body: { ops: [{ operation_type: "update", block_id: "greet", params: { name: "{{trg.name}}" } }] },
    });
    expect(fix.body.ok).toBe(true);
    await makeDue(schedule.id);
    const fired = await pass({ dispatch: counting });
    expect(fired.started).toEqual([{ scheduleId: schedule.id, runId: expect.stringMatching(/^run_/), slot: thisYearsSlot() }]);
    expect(dispatches).toBe(1);
    expect((await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key })).body.lastError).toBeNull();
  });
});

describe("the ticker loop", () => {
  test("a schedule created through the API fires in a running worker and its run succeeds with the schedule's input", async () => {
    const worker = await startTestWorker(app);
    const ticker = startScheduleTicker(deps(), { intervalMs: 100, jitterMs: 20 });
    try {
      const schedule = await createSchedule({ input: { name: "Grace" } });
      await makeDue(schedule.id, "1 second");
      const deadline = Date.now() + 10_000;
      let lastRunId: string | null = null;
      while (!lastRunId && Date.now() < deadline) {
        const read = await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key });
        lastRunId = read.body.lastRunId;
        if (!lastRunId) await new Promise((res) => setTimeout(res, 50));
      }
      expect(lastRunId, "the ticker never fired the schedule").toMatch(/^run_/);
      const run = await finishedRun(app, owner.organizationId, lastRunId!);
      expect(run).toMatchObject({ status: "succeeded", trigger: "schedule", input: { name: "Grace" }, workflowId });
      expect(run.output?.greet).toEqual({ message: "Hello, Grace!" });
      const read = await call(app, "GET", `/api/schedules/${schedule.id}`, { headers: key });
      expect(read.body.lastFiredAt).toEqual(expect.any(String));
    } finally {
      await ticker.stop();
      await worker.stop();
    }
  });

  test("a stopped loop fires nothing more: stop() waits for the pass in flight and schedules no other", async () => {
    // The loop gets a pool of its own: every statement it sends is counted.
    let statements = 0;
    const own = postgres(app.database.url, { max: 1, onnotice: () => {}, debug: () => void statements++ });
    const ticker = startScheduleTicker(deps(own), { intervalMs: 20, jitterMs: 5 });
    try {
      await until(() => statements > 0, 10_000, "the loop's first pass");
      await ticker.stop();
      const stoppedAt = statements;
      const schedule = await createSchedule({});
      await makeDue(schedule.id);
      // A second loop on the same interval, whose passes fail (and are logged) so it fires nothing,
      // is the clock: by its fifth pass, a pass the stopped loop had scheduled would have run.
      const failures: string[] = [];
      const logger = pino({ level: "error" }, { write: (line: string) => void failures.push(line) });
      const broken = postgres(app.database.url, { max: 1, onnotice: () => {}, connection: { search_path: "no_such_schema" } });
      const clock = startScheduleTicker({ sql: broken, db: app.database.db, runtime: app.runtime, logger }, { intervalMs: 20, jitterMs: 5 });
      await until(() => failures.length >= 5, 10_000, "five passes of the second loop");
      await clock.stop();
      await broken.end();
      expect(statements).toBe(stoppedAt);
      expect(await runsOf(schedule.id)).toEqual([]);
      await pass(); // leave nothing due for later tests
    } finally {
      await ticker.stop();
      await own.end();
    }
  });

  test("a pass that fails is logged and the loop keeps going (it never throws into the worker)", async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: "error" },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    // A real connection whose queries fail: its search_path has no schedules table.
    const broken = postgres(app.database.url, { max: 1, onnotice: () => {}, connection: { search_path: "no_such_schema" } });
    const ticker = startScheduleTicker({ sql: broken, db: app.database.db, runtime: app.runtime, logger }, { intervalMs: 10, jitterMs: 0 });
    const deadline = Date.now() + 5_000;
    while (lines.filter((l) => l.includes("schedule ticker pass failed")).length < 3 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 10));
    }
    await ticker.stop();
    await broken.end();
    expect(lines.filter((l) => l.includes("schedule ticker pass failed")).length).toBeGreaterThanOrEqual(3);
  });
});
