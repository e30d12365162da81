/**
 * Retention (docs/runs.md, "Retention"), on real Postgres with an in-process worker: the sweeper
 * deletes finished runs past their organization's retention with every row that belongs to them
 * (Weft's tables and openworkflow's, counted table by table), keeps recent, queued, running and
 * waiting runs, honours per-organization settings, works in batches, is safe to run from several
 * workers at once, and expires org-wide events nothing consumed.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openworkflowSchemaOf } from "@/db/client";
import { sweepRetention } from "@/lib/runtime/retention";
import { NAMESPACE_ID } from "@/lib/runtime/openworkflow";
import { deleteExpiredRuns } from "@/lib/store/retention";
import { openRunStorePool } from "@/lib/store/runs";
import { call, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, runLogs, runWhen, startTestWorker, testRegistry, type TestWorker } from "../helpers/runtime";
import { createTestApp } from "../helpers/api";
import { until } from "../helpers/until";

let app: TestApp;
let worker: TestWorker;
/** A plain postgres.js pool on the app's schema, for counting and backdating rows. */
let db: postgres.Sql;
let ow: string;

beforeAll(async () => {
  app = await createTestApp({ registry: testRegistry() });
  worker = await startTestWorker(app, { concurrency: 8 });
  db = openRunStorePool(app.database.url, 4, app.database.schema);
  ow = openworkflowSchemaOf(app.database.schema);
});
afterAll(async () => {
  await worker?.stop();
  await db?.end({ timeout: 5 });
  await app?.close();
});

const DEFAULT_DAYS = 30;
const sweep = (options: { batchSize?: number; sql?: postgres.Sql } = {}) =>
  sweepRetention({ sql: options.sql ?? db, schema: app.database.schema, defaultDays: DEFAULT_DAYS, batchSize: options.batchSize });

const trigger = { id: "trg", type: "trigger_manual", params: {} };
const simple = { blocks: [trigger, { id: "say", type: "log", params: { message: "hi" } }], edges: [{ source: "trg", target: "say" }] };
/** trg → wait (wait_for_event) → done */
function waitFor(params: Record<string, unknown>) {
  return {
    blocks: [trigger, { id: "wait", type: "wait_for_event", params }, { id: "done", type: "log", params: { message: "done" } }],
    edges: [
      { source: "trg", target: "wait" },
      { source: "wait", target: "done" },
    ],
  };
}

/** A run's rows in every table retention deletes from, by Weft run id and openworkflow run id. */
interface Tracked {
  runIds: string[];
  owIds: string[];
}

async function track(runIds: string[]): Promise<Tracked> {
  const rows = await db<{ ow_run_id: string | null }[]>`SELECT ow_run_id FROM runs WHERE id = ANY(${runIds})`;
  return { runIds, owIds: rows.flatMap((r) => (r.ow_run_id ? [r.ow_run_id] : [])) };
}

async function counts({ runIds, owIds }: Tracked) {
  const t = (name: string) => db(`${ow}.${name}`);
  const [row] = await db<Record<string, number>[]>`
    SELECT
      (SELECT count(*) FROM runs WHERE id = ANY(${runIds}))::int AS runs,
      (SELECT count(*) FROM run_logs WHERE run_id = ANY(${runIds}))::int AS "runLogs",
      (SELECT count(*) FROM run_waits WHERE run_id = ANY(${runIds}))::int AS "runWaits",
      (SELECT count(*) FROM events WHERE run_id = ANY(${runIds}) OR consumed_by_run = ANY(${runIds}))::int AS events,
      (SELECT count(*) FROM ${t("workflow_runs")} WHERE namespace_id = ${NAMESPACE_ID} AND id = ANY(${owIds}))::int AS "workflowRuns",
      (SELECT count(*) FROM ${t("step_attempts")} WHERE namespace_id = ${NAMESPACE_ID} AND workflow_run_id = ANY(${owIds}))::int AS "stepAttempts",
      (SELECT count(*) FROM ${t("workflow_signals")} WHERE namespace_id = ${NAMESPACE_ID} AND workflow_run_id = ANY(${owIds}))::int AS "workflowSignals"`;
  return row;
}

const NONE = { runs: 0, runLogs: 0, runWaits: 0, events: 0, workflowRuns: 0, stepAttempts: 0, workflowSignals: 0 };

/** Moves runs' timestamps `days` into the past, as if they had run then. */
async function backdate(runIds: string[], days: number): Promise<void> {
  const by = db`make_interval(days => ${days})`;
  await db`
    UPDATE runs SET created_at = created_at - ${by}, started_at = started_at - ${by}, finished_at = finished_at - ${by}
    WHERE id = ANY(${runIds})`;
}

/** Waits until openworkflow has also finished these runs (it completes its row just after Weft's final write). */
async function owSettled(owIds: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [row] = await db<{ active: number }[]>`
      SELECT count(*)::int AS active FROM ${db(`${ow}.workflow_runs`)}
      WHERE id = ANY(${owIds}) AND status NOT IN ('completed', 'failed', 'canceled')`;
    if (row.active === 0) return;
    if (Date.now() > deadline) throw new Error(`${row.active} openworkflow runs still active`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Runs `definition` once per entry of `count` for `user` and waits for each to finish (and openworkflow to settle). */
async function finishedRuns(user: TestUser, definition: unknown, count: number): Promise<string[]> {
  const workflowId = await createWorkflow(app, user.bearer, definition);
  const runIds = await Promise.all(Array.from({ length: count }, () => dispatchRun(app, user.bearer, workflowId)));
  await Promise.all(runIds.map((id) => finishedRun(app, user.organizationId, id)));
  await owSettled((await track(runIds)).owIds);
  return runIds;
}

/**
 * Inserts `count` finished runs straight into the tables, `ageDays` old, each with two log
 * entries and, in openworkflow's schema, a completed run with two step attempts and a signal:
 * the shape of a real run's rows, at a volume real runs would take minutes to make.
 */
async function insertSyntheticRuns(organizationId: string, count: number, ageDays: number): Promise<Tracked> {
  const tag = Math.random().toString(36).slice(2, 10);
  const t = (name: string) => db(`${ow}.${name}`);
  await db`
    WITH ids AS (
      SELECT g, 'run_syn_' || ${tag} || '_' || g AS id, 'ow_syn_' || ${tag} || '_' || g AS ow_id,
        now() - make_interval(days => ${ageDays}) AS at
      FROM generate_series(1, ${count}) g
    ), ow_runs AS (
      INSERT INTO ${t("workflow_runs")} (namespace_id, id, workflow_name, status, config, attempts, created_at, updated_at, finished_at)
      SELECT ${NAMESPACE_ID}, ow_id, 'weft.run', 'completed', '{}'::jsonb, 1, at, at, at FROM ids RETURNING 1
    ), steps AS (
      INSERT INTO ${t("step_attempts")} (namespace_id, id, workflow_run_id, step_name, kind, status, config, created_at, updated_at)
      SELECT ${NAMESPACE_ID}, ow_id || ':' || k, ow_id, 'b' || k, 'function', 'completed', '{}'::jsonb, at, at
      FROM ids, generate_series(1, 2) k RETURNING 1
    ), signals AS (
      INSERT INTO ${t("workflow_signals")} (namespace_id, id, signal, workflow_run_id, step_attempt_id)
      SELECT ${NAMESPACE_ID}, ow_id || ':signal', 'weft:' || id || ':b1', ow_id, ow_id || ':1' FROM ids RETURNING 1
    ), weft_runs AS (
      INSERT INTO runs (id, organization_id, workflow_id, workflow_version, definition, trigger, status, input, ow_run_id, created_at, started_at, finished_at)
      SELECT id, ${organizationId}, 'wf_syn', 1, '{"blocks":[],"edges":[]}'::jsonb, 'api', 'succeeded', '{}'::jsonb, ow_id, at, at, at FROM ids RETURNING 1
    ), logs AS (
      INSERT INTO run_logs (run_id, organization_id, block_id, block_type, attempt, status)
      SELECT id, ${organizationId}, 'b' || k, 'log', 1, 'succeeded' FROM ids, generate_series(1, 2) k RETURNING 1
    )
    SELECT (SELECT count(*) FROM ow_runs), (SELECT count(*) FROM steps), (SELECT count(*) FROM signals), (SELECT count(*) FROM weft_runs), (SELECT count(*) FROM logs)`;
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  return { runIds: ids.map((g) => `run_syn_${tag}_${g}`), owIds: ids.map((g) => `ow_syn_${tag}_${g}`) };
}

describe("a retention sweep", () => {
  it("deletes an organization's finished runs past the retention with all their rows in every table, and keeps recent ones", async () => {
    const user = await signUp(app);
    const org = user.organizationId;
    // Succeeded after an event sent to the run (a wait, an event, an openworkflow signal).
    const eventWf = await createWorkflow(app, user.bearer, waitFor({ event: "go" }));
    const byEvent = await dispatchRun(app, user.bearer, eventWf);
    await runWhen(app, org, byEvent, (r) => r.status === "waiting");
    expect((await call(app, "POST", `/api/runs/${byEvent}/events`, { headers: user.bearer, body: { event: "go" } })).body).toMatchObject({ delivered: true });
    // Succeeded after an org-wide event with a key (the event row is addressed to no run, consumed by this one).
    const keyWf = await createWorkflow(app, user.bearer, waitFor({ event: "paid", key: "o-1" }));
    const byKey = await dispatchRun(app, user.bearer, keyWf);
    await runWhen(app, org, byKey, (r) => r.status === "waiting");
    expect((await call(app, "POST", "/api/events", { headers: user.bearer, body: { event: "paid", key: "o-1" } })).body.deliveredTo).toEqual([byKey]);
    // Canceled while waiting, then sent an event nothing will consume.
    const canceled = await dispatchRun(app, user.bearer, eventWf);
    await runWhen(app, org, canceled, (r) => r.status === "waiting");
    expect((await call(app, "POST", `/api/runs/${canceled}/cancel`, { headers: user.bearer })).status).toBe(200);
    expect((await call(app, "POST", `/api/runs/${canceled}/events`, { headers: user.bearer, body: { event: "late" } })).status).toBe(202);
    await Promise.all([byEvent, byKey, canceled].map((id) => finishedRun(app, org, id)));
    // Failed.
    const [failed] = await finishedRuns(user, { blocks: [trigger, { id: "boom", type: "flaky", params: { fail: 5 } }], edges: [{ source: "trg", target: "boom" }] }, 1);
    expect((await app.runtime.getRun(org, failed))?.status).toBe("failed");

    const old = await track([byEvent, byKey, canceled, failed]);
    await owSettled(old.owIds);
    const recent = await track([...(await finishedRuns(user, simple, 1)), ...(await finishedRuns(user, simple, 1))]);
    await backdate(old.runIds, DEFAULT_DAYS + 10);
    await backdate(recent.runIds.slice(1), DEFAULT_DAYS - 10);

    const before = await counts(old);
    for (const [table, n] of Object.entries(before)) expect(n, `${table} before the sweep`).toBeGreaterThan(0);
    expect(before.runs).toBe(4);
    const recentBefore = await counts(recent);

    const result = await sweep();
    expect(await counts(old)).toEqual(NONE);
    expect(await counts(recent)).toEqual(recentBefore);
    expect(result).toMatchObject({ runs: 4, runLogs: before.runLogs, runWaits: before.runWaits, events: before.events });
    expect(result).toMatchObject({ workflowRuns: 4, stepAttempts: before.stepAttempts, workflowSignals: before.workflowSignals });

    for (const id of old.runIds) expect((await call(app, "GET", `/api/runs/${id}`, { headers: user.bearer })).status).toBe(404);
    for (const id of recent.runIds) expect((await call(app, "GET", `/api/runs/${id}`, { headers: user.bearer })).status).toBe(200);
    // Nothing was left for a second pass.
    expect(await sweep()).toMatchObject({ runs: 0, expiredEvents: 0 });
  });

  it("never touches queued, running or waiting runs, however old; a run executing during the sweep finishes as if nothing happened", async () => {
    const user = await signUp(app);
    const org = user.organizationId;
    const waiting = await dispatchRun(app, user.bearer, await createWorkflow(app, user.bearer, waitFor({ event: "go" })));
    await runWhen(app, org, waiting, (r) => r.status === "waiting");
    const sleepyWf = await createWorkflow(app, user.bearer, {
      blocks: [trigger, { id: "nap", type: "sleepy", params: { ms: 3_000 } }, { id: "after", type: "log", params: { message: "awake" } }],
      edges: [
        { source: "trg", target: "nap" },
        { source: "nap", target: "after" },
      ],
    });
    const running = await dispatchRun(app, user.bearer, sleepyWf);
    await runWhen(app, org, running, (r) => r.status === "running");
    // A queued run with no openworkflow row yet, and a run Weft wrote final whose openworkflow
    // run is still running (the moment between finishRun and openworkflow completing it).
    const queued = `run_q_${Math.random().toString(36).slice(2, 10)}`;
    await db`
      INSERT INTO runs (id, organization_id, workflow_id, workflow_version, definition, trigger, status, input, created_at)
      VALUES (${queued}, ${org}, 'wf_q', 1, '{"blocks":[],"edges":[]}'::jsonb, 'api', 'queued', '{}'::jsonb, now() - interval '400 days')`;
    const [closing] = (await insertSyntheticRuns(org, 1, 400)).runIds;
    await db`
      UPDATE ${db(`${ow}.workflow_runs`)} SET status = 'running', worker_id = 'another-worker', available_at = now() + interval '1 hour', finished_at = NULL
      WHERE id = (SELECT ow_run_id FROM runs WHERE id = ${closing})`;

    const kept = await track([waiting, running, queued, closing]);
    await backdate(kept.runIds, 400);
    // Even a finish time in the past does not make an unfinished run expire.
    await db`UPDATE runs SET finished_at = now() - interval '400 days' WHERE id IN (${waiting}, ${running}, ${queued})`;
    const before = await counts(kept);

    const result = await sweep();
    expect(result.runs).toBe(0);
    expect(await counts(kept)).toMatchObject({ runs: 4, workflowRuns: before.workflowRuns, runWaits: before.runWaits });
    expect((await app.runtime.getRun(org, waiting))?.status).toBe("waiting");
    expect((await app.runtime.getRun(org, running))?.status).toBe("running"); // the sweep ran while its block did

    const done = await finishedRun(app, org, running);
    expect(done).toMatchObject({ status: "succeeded", output: { nap: { slept: 3_000 }, after: { message: "awake" } } });
    expect((await runLogs(app, org, running)).map((l) => [l.blockId, l.status])).toEqual([
      ["trg", "succeeded"],
      ["nap", "succeeded"],
      ["after", "succeeded"],
    ]);
    expect((await call(app, "POST", `/api/runs/${waiting}/events`, { headers: user.bearer, body: { event: "go" } })).body).toMatchObject({ delivered: true });
    expect((await finishedRun(app, org, waiting)).status).toBe("succeeded");
    // Retention counts from when a run finished: these two were created 400 days ago but finished just now.
    await owSettled((await track([waiting, running])).owIds);
    expect((await sweep()).runs).toBe(0);
    expect((await counts(await track([waiting, running]))).runs).toBe(2);
  });

  it("honours an organization's own retention, shorter or longer than the default, and its reset to the default", async () => {
    const [short, long, plain] = await Promise.all([signUp(app), signUp(app), signUp(app)]);
    expect((await call(app, "PUT", "/api/settings/retention", { headers: short.bearer, body: { retentionDays: 7 } })).status).toBe(200);
    expect((await call(app, "PUT", "/api/settings/retention", { headers: long.bearer, body: { retentionDays: 90 } })).status).toBe(200);
    const aged = async (user: TestUser, days: number[]) => {
      const ids = await finishedRuns(user, simple, days.length);
      for (const [i, d] of days.entries()) await backdate([ids[i]], d);
      return ids;
    };
    const [short10, short40] = await aged(short, [10, 40]);
    const [plain10, plain40] = await aged(plain, [10, 40]);
    const [long40, long100] = await aged(long, [40, 100]);
    const exists = async (ids: string[]) => (await counts(await track(ids))).runs;

    await sweep();
    expect(await exists([short10, short40])).toBe(0);
    expect(await exists([plain10])).toBe(1);
    expect(await exists([plain40])).toBe(0);
    expect(await exists([long40])).toBe(1);
    expect(await exists([long100])).toBe(0);

    expect((await call(app, "PUT", "/api/settings/retention", { headers: long.bearer, body: { retentionDays: null } })).body).toMatchObject({
      retentionDays: DEFAULT_DAYS,
      inherited: true,
    });
    await sweep();
    expect(await exists([long40])).toBe(0);
    expect(await exists([plain10])).toBe(1);
  });

  it("works in batches: 1,250 expired runs take three statements of at most 500 runs each", async () => {
    await sweep(); // whatever earlier tests left due
    const user = await signUp(app);
    const runs = await insertSyntheticRuns(user.organizationId, 1_250, DEFAULT_DAYS + 5);
    expect(await counts(runs)).toEqual({ ...NONE, runs: 1_250, runLogs: 2_500, workflowRuns: 1_250, stepAttempts: 2_500, workflowSignals: 1_250 });

    const options = { defaultDays: DEFAULT_DAYS, batchSize: 500, owSchema: ow, namespaceId: NAMESPACE_ID };
    const batches = [await deleteExpiredRuns(db, options), await deleteExpiredRuns(db, options), await deleteExpiredRuns(db, options)];
    expect(batches.map((b) => b.runs)).toEqual([500, 500, 250]);
    expect(batches.map((b) => b.runLogs)).toEqual([1_000, 1_000, 500]);
    expect(batches.map((b) => b.stepAttempts)).toEqual([1_000, 1_000, 500]);
    expect(batches.map((b) => b.workflowSignals)).toEqual([500, 500, 250]);
    expect(await counts(runs)).toEqual(NONE);

    // A pass goes on until a batch comes back short.
    const more = await insertSyntheticRuns(user.organizationId, 250, DEFAULT_DAYS + 5);
    const pass = await sweep({ batchSize: 100 });
    expect(pass).toMatchObject({ runs: 250, runLogs: 500, workflowRuns: 250 });
    expect(pass.batches).toBe(3 + 1); // 100, 100, 50 runs, then one (empty) batch of events
    expect(await counts(more)).toEqual(NONE);
  });

  it("three sweepers on separate pools at once delete every run exactly once, and none fails", async () => {
    await sweep();
    const user = await signUp(app);
    const runs = await insertSyntheticRuns(user.organizationId, 2_000, DEFAULT_DAYS + 5);
    const pools = [0, 1, 2].map(() => openRunStorePool(app.database.url, 2, app.database.schema));
    try {
      const results = await Promise.all(pools.map((sql) => sweep({ sql, batchSize: 100 })));
      const sum = (key: "runs" | "runLogs" | "workflowRuns" | "stepAttempts" | "workflowSignals") => results.reduce((n, r) => n + r[key], 0);
      expect(sum("runs")).toBe(2_000);
      expect(sum("runLogs")).toBe(4_000);
      expect(sum("workflowRuns")).toBe(2_000);
      expect(sum("stepAttempts")).toBe(4_000);
      expect(sum("workflowSignals")).toBe(2_000);
      expect(await counts(runs)).toEqual(NONE);
    } finally {
      await Promise.all(pools.map((sql) => sql.end({ timeout: 5 })));
    }
  });

  it("never waits on a run someone else holds a lock on: it skips that one and takes it on a later pass", async () => {
    await sweep();
    const user = await signUp(app);
    const runs = await insertSyntheticRuns(user.organizationId, 5, DEFAULT_DAYS + 5);
    const held = runs.runIds[2];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = openRunStorePool(app.database.url, 1, app.database.schema);
    try {
      const transaction = holder.begin(async (tx) => {
        await tx`SELECT id FROM runs WHERE id = ${held} FOR UPDATE`;
        locked();
        await released;
      });
      await isLocked;
      // A sweep that waited for the held row would show as a backend waiting on a row lock (not an
      // advisory one, which a worker's claim may wait on): release it then, so the test ends, and fail.
      let swept = false;
      let waited = false;
      const sweeping = sweep().finally(() => (swept = true));
      await until(async () => {
        if (swept) return true;
        const [{ n }] = await db<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event IN ('transactionid', 'tuple')`;
        if (n === 0) return false;
        waited = true;
        release();
        return true;
      }, 30_000, "the sweep to return");
      const result = await sweeping;
      expect(waited, "the sweep waited for the locked run").toBe(false);
      expect(result.runs).toBe(4);
      expect((await counts(runs)).runs).toBe(1);
      release();
      await transaction;
      expect((await sweep()).runs).toBe(1);
      expect(await counts(runs)).toEqual(NONE);
    } finally {
      release();
      await holder.end({ timeout: 5 });
    }
  });

  it("expires org-wide events nothing consumed once they are older than the retention; recent ones and those addressed to a live run stay", async () => {
    const user = await signUp(app);
    const org = user.organizationId;
    const send = async (path: string, body: unknown) => (await call(app, "POST", path, { headers: user.bearer, body })).body.eventId as string;
    const stale = await send("/api/events", { event: "orphan", key: "k-1" });
    const fresh = await send("/api/events", { event: "orphan", key: "k-2" });
    const waiting = await dispatchRun(app, user.bearer, await createWorkflow(app, user.bearer, waitFor({ event: "go" })));
    await runWhen(app, org, waiting, (r) => r.status === "waiting");
    const addressed = await send(`/api/runs/${waiting}/events`, { event: "not-awaited" });
    await db`UPDATE events SET created_at = now() - interval '40 days' WHERE id IN (${stale}, ${addressed})`;

    const result = await sweep();
    expect(result.expiredEvents).toBe(1);
    const left = await db<{ id: string }[]>`SELECT id FROM events WHERE id IN (${stale}, ${fresh}, ${addressed}) ORDER BY id`;
    expect(left.map((r) => r.id).sort()).toEqual([fresh, addressed].sort());

    // An organization's shorter retention applies to its events too.
    expect((await call(app, "PUT", "/api/settings/retention", { headers: user.bearer, body: { retentionDays: 1 } })).status).toBe(200);
    await db`UPDATE events SET created_at = now() - interval '2 days' WHERE id = ${fresh}`;
    expect((await sweep()).expiredEvents).toBe(1);
    expect(await db`SELECT 1 FROM events WHERE id = ${fresh}`).toHaveLength(0);
    expect((await call(app, "POST", `/api/runs/${waiting}/cancel`, { headers: user.bearer })).status).toBe(200);
  });
});
