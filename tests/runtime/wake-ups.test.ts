/**
 * No lost wake-ups (docs/runs.md, "Waiting for a result"): a reader that holds a request open until
 * a run changes subscribes to the run's NOTIFYs before it reads, and a notification that arrives
 * while a read is in flight makes it read again at once. Each test finishes a run (a real cancel:
 * one statement, one NOTIFY on real Postgres) while the waiter's first read is in flight, holds
 * that read until the notification has reached this process, and turns the poll fallback off: a
 * waiter that dropped the notification would then sleep until its deadline, ten minutes away.
 */
import type postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { streamTiming } from "@/lib/api/routes/runs";
import { openRuntime } from "@/lib/runtime";
import { awaitWebhookAnswer, watchForAnswer } from "@/lib/runs/webhook-answer";
import { MAX_FINAL_HINT_BYTES, RUN_STATUS_CHANNEL, RUNNING_HINT } from "@/lib/store/channels";
import { writeAttempts } from "@/lib/store/run-logs";
import { getWebhookAnswerState, recordWebhookResponse } from "@/lib/store/webhook-responses";
import { newRunId, openRunStorePool } from "@/lib/store/runs";
import type { Runtime } from "@/lib/runtime/types";
import type { RunResource } from "@/lib/resources/run";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun } from "../helpers/runtime";
import { recordingReads } from "../helpers/recording";
import { settled, until } from "../helpers/until";

/** setTimeout's longest delay: a poll that never comes within a test. */
const NEVER = 2 ** 31 - 1;
const TEN_MINUTES = 10 * 60_000;
/** Generous: a waiter that got the notification answers in milliseconds. */
const HANG = 20_000;

const DEFINITION = { blocks: [{ id: "trg", type: "trigger_manual", params: {} }], edges: [] };

/** Reads of these runs through the API's runtime call `during(runId)` after the real read, before returning it. */
const slowReads = new Map<string, (runId: string) => Promise<void>>();

let app: TestApp;
let user: TestUser;
let workflowId: string;
const defaultTiming = { ...streamTiming };

beforeAll(async () => {
  app = await createTestApp({
    apiRuntime: (runtime): Runtime => ({
      ...runtime,
      async getRun(organizationId, runId) {
        const run = await runtime.getRun(organizationId, runId);
        const during = slowReads.get(runId);
        if (during) {
          slowReads.delete(runId);
          await during(runId);
        }
        return run;
      },
    }),
  });
  user = await signUp(app);
  // No worker: a dispatched run stays queued until the test cancels it.
  workflowId = await createWorkflow(app, user.bearer, DEFINITION);
});
afterAll(async () => {
  await app?.close();
});
afterEach(() => {
  Object.assign(streamTiming, defaultTiming);
  slowReads.clear();
});

/**
 * Cancels the run through the API and resolves once its status NOTIFY has reached `runtime`'s
 * listeners: the waiter's read, which began before the cancel, then returns a stale run.
 */
async function finishAndNotify(runtime: Runtime, runId: string): Promise<void> {
  let notified = 0;
  const stop = runtime.subscribe(runId, () => (notified += 1));
  try {
    const canceled = await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: user.bearer });
    expect(canceled.status).toBe(200);
    await until(() => notified > 0, HANG, "the cancel's NOTIFY to reach the waiting process");
  } finally {
    stop();
  }
}

describe("waitForRun", () => {
  it("returns a run that finished while its read was in flight at once, not at the next poll", async () => {
    const runtime = openRuntime({ databaseUrl: app.database.url, schema: app.database.schema, logger: app.logger, waitPollMs: NEVER });
    await runtime.ready;
    try {
      const runId = await dispatchRun(app, user.bearer, workflowId);
      const reads: string[] = [];
      const real = runtime.getRun;
      runtime.getRun = async (organizationId, id) => {
        const run = await real(organizationId, id);
        reads.push(run?.status ?? "missing");
        if (reads.length === 1) await finishAndNotify(runtime, runId);
        return run;
      };
      const run = await settled(runtime.waitForRun(user.organizationId, runId, TEN_MINUTES), HANG, "waitForRun to see the run canceled during its read");
      expect(run?.status).toBe("canceled");
      // The first read was stale (the race happened); the second one, at once, saw the cancel.
      expect(reads).toEqual(["queued", "canceled"]);
    } finally {
      await runtime.close();
    }
  });
});

describe("a webhook caller's wait armed before its run exists", () => {
  it("skips the first read, and a run that changed between its creation and the wait is read again at once, not at the next poll", async () => {
    const runId = newRunId();
    const watch = watchForAnswer(app, runId);
    // Records the answer reads of this run (what a waiting webhook caller reads).
    const { pool: counted, reads } = recordingReads(app.database.sql);
    try {
      const dispatched = await app.runtime.dispatch(user.organizationId, { id: workflowId, version: 1, definition: DEFINITION }, { trigger: "webhook", runId });
      expect(dispatched).toMatchObject({ created: true, run: { id: runId, status: "queued" } });
      // Canceled before the wait begins: its NOTIFY reaches this process while nobody is parked.
      await finishAndNotify(app.runtime, runId);
      const actor = { organizationId: user.organizationId, id: "webhook:test", kind: "system" as const };
      const waiting = awaitWebhookAnswer({ runtime: app.runtime, sql: counted }, actor, runId, TEN_MINUTES, { pollMs: NEVER, watch });
      const answer = await settled(waiting, HANG, "the wait to read the canceled run at once");
      expect(answer).toMatchObject({ ok: true, value: { kind: "finished", run: { status: "canceled" } } });
      // No read for the state it knew (queued, no answer); one for the notification that came since.
      expect(reads).toEqual(["read"]);
    } finally {
      watch.close();
    }
  });

  it("with no change since the run's creation, it parks without reading, a start notification does not wake it, and the final one does", async () => {
    const runId = newRunId();
    const watch = watchForAnswer(app, runId);
    const { pool: counted, reads } = recordingReads(app.database.sql);
    try {
      await app.runtime.dispatch(user.organizationId, { id: workflowId, version: 1, definition: DEFINITION }, { trigger: "webhook", runId });
      const actor = { organizationId: user.organizationId, id: "webhook:test", kind: "system" as const };
      const waiting = awaitWebhookAnswer({ runtime: app.runtime, sql: counted }, actor, runId, TEN_MINUTES, { pollMs: NEVER, watch });
      // Parked on the state it knew: nothing read yet.
      await new Promise((resolve) => setImmediate(resolve));
      expect(reads).toHaveLength(0);
      // The notification a run's start sends (the first block's write): no answer, not final, no read.
      const hints: (string | undefined)[] = [];
      const stop = app.runtime.subscribe(runId, (hint) => void hints.push(hint));
      try {
        await app.database.sql`SELECT pg_notify(${RUN_STATUS_CHANNEL}, ${`${runId}:${RUNNING_HINT}`})`;
        await until(() => hints.length > 0, HANG, "the start notification to reach this process");
      } finally {
        stop();
      }
      expect(hints).toEqual([RUNNING_HINT]);
      expect(reads).toHaveLength(0);
      await finishAndNotify(app.runtime, runId);
      const answer = await settled(waiting, HANG, "the run's NOTIFY to wake the parked wait");
      expect(answer).toMatchObject({ ok: true, value: { kind: "finished", run: { status: "canceled" } } });
      expect(reads).toHaveLength(1);
    } finally {
      watch.close();
    }
  });
});

describe("a webhook run's final notification", () => {
  /** A pool like the worker's (lib/store/runs.ts), for the statements a worker sends. */
  let workerSql: postgres.Sql;
  beforeAll(() => {
    workerSql = openRunStorePool(app.database.url, 2, app.database.schema);
  });
  afterAll(async () => {
    await workerSql?.end();
  });
  const actor = () => ({ organizationId: user.organizationId, id: "webhook:test", kind: "system" as const });

  /** A queued webhook run of this test's workflow, watched by a waiting caller from before it existed. */
  async function waitingCaller(): Promise<{ runId: string; reads: string[]; waiting: ReturnType<typeof awaitWebhookAnswer> }> {
    const runId = newRunId();
    const watch = watchForAnswer(app, runId);
    await app.runtime.dispatch(user.organizationId, { id: workflowId, version: 1, definition: DEFINITION }, { trigger: "webhook", runId });
    const { pool: counted, reads } = recordingReads(app.database.sql);
    const waiting = awaitWebhookAnswer({ runtime: app.runtime, sql: counted }, actor(), runId, TEN_MINUTES, { pollMs: NEVER, watch });
    return { runId, reads, waiting };
  }

  /** Ends the run as a worker's last block does: its entry and the run's final state in one statement (writeAttempts). */
  async function finishWith(runId: string, output: Record<string, unknown>): Promise<void> {
    const at = new Date();
    const log = {
      runId, organizationId: user.organizationId, blockId: "trg", blockType: "trigger_manual", attempt: 1, status: "succeeded" as const,
      input: null, output, error: null, messages: [], startedAt: at, finishedAt: at,
    };
    await writeAttempts(workerSql, [{ log, final: { status: "succeeded", output, error: null } }]);
  }

  it("a run that ends without an answer gives its waiting caller the end it stored, with no read", async () => {
    const { runId, reads, waiting } = await waitingCaller();
    // Keys in an order jsonb does not keep: the caller gets the stored order, as a read would give it.
    const output = { trg: { zeta: 1, a: [1, "two", { nested: true }], "ünï": "ok" } };
    await finishWith(runId, output);
    const answer = await settled(waiting, HANG, "the final notification to answer the caller");
    expect(reads).toEqual([]);
    const stored = await getWebhookAnswerState(app.database.sql, user.organizationId, runId);
    expect(answer).toEqual({ ok: true, value: { kind: "finished", run: stored?.finished } });
    expect(JSON.stringify(answer.ok && answer.value.kind === "finished" && answer.value.run.output)).toBe(JSON.stringify(stored?.finished?.output));
    expect(stored?.finished).toEqual({ status: "succeeded", output, error: null });
  });

  it("an end too long for a notification is read", async () => {
    const { runId, reads, waiting } = await waitingCaller();
    const output = { trg: { text: "x".repeat(MAX_FINAL_HINT_BYTES) } };
    await finishWith(runId, output);
    const answer = await settled(waiting, HANG, "the final notification to wake the caller");
    expect(answer).toEqual({ ok: true, value: { kind: "finished", run: { status: "succeeded", output, error: null } } });
    expect(reads).toEqual(["read"]);
  });

  it("a run that answered with respond_webhook: its caller gets that answer, read, not the end", async () => {
    const { runId, reads, waiting } = await waitingCaller();
    const response = { status: 201, headers: { "content-type": "text/plain" }, body: "made" };
    // The answer is recorded, then the run ends in the same moment, before the caller woke.
    expect(await recordWebhookResponse(workerSql, { runId, organizationId: user.organizationId, blockId: "respond", response })).toEqual({ responded: true });
    await finishWith(runId, { trg: {} });
    const answer = await settled(waiting, HANG, "the caller to read the answer");
    expect(answer).toEqual({ ok: true, value: { kind: "responded", response } });
    expect(reads.length).toBeGreaterThanOrEqual(1);
  });

  it("only a webhook-started run's final notification carries its end", async () => {
    const hints: (string | undefined)[] = [];
    const runId = newRunId();
    const stop = app.runtime.subscribe(runId, (hint) => void hints.push(hint));
    try {
      await app.runtime.dispatch(user.organizationId, { id: workflowId, version: 1, definition: DEFINITION }, { trigger: "manual", runId });
      await finishWith(runId, { trg: { secret: "not for the channel" } });
      await until(() => hints.length > 0, HANG, "the final notification");
      expect(hints).toEqual([undefined]);
    } finally {
      stop();
    }
  });
});

describe("the run stream", () => {
  it("a run that finishes while the stream's first read is in flight gets its final status event at once, then the stream ends", async () => {
    streamTiming.pollMs = NEVER;
    const runId = await dispatchRun(app, user.bearer, workflowId);
    slowReads.set(runId, (id) => finishAndNotify(app.runtime, id));
    const response = await app.api.request(`/api/runs/${runId}/stream`, { headers: user.bearer });
    expect(response.status).toBe(200);
    const text = await settled(response.text(), HANG, "the stream to send the canceled status and end");
    const statuses = [...text.matchAll(/^event: status\ndata: (.*)$/gm)].map((m) => (JSON.parse(m[1]) as RunResource).status);
    expect(statuses).toEqual(["queued", "canceled"]);
    expect(slowReads.has(runId)).toBe(false);
  });
});
