/**
 * Durable runs end to end (docs/runs.md): dispatch over HTTP, an in-process worker, real Postgres.
 * Scheduling (branch, join, skips, concurrency), block failures and retries, pinning,
 * idempotency, secret redaction and prompt start.
 */
import { Worker } from "openworkflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import {
  claimsOf,
  connectorCalls,
  createWorkflow,
  dispatchRun,
  finishedRun,
  runLogs,
  runWhen,
  sentinelRun,
  sleepyGauge,
  startTestWorker,
  startWorkerTestApp,
  testRegistry,
} from "../helpers/runtime";

let app: TestApp;
let user: TestUser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ app, user, close } = await startWorkerTestApp({ concurrency: 4 }));
});
afterAll(async () => {
  await close?.();
});

const trigger = { id: "trg", type: "trigger_manual", params: {} };

async function run(definition: unknown, input?: unknown) {
  const workflowId = await createWorkflow(app, user.bearer, definition);
  const runId = await dispatchRun(app, user.bearer, workflowId, input === undefined ? {} : { input });
  return { workflowId, runId, run: await finishedRun(app, user.organizationId, runId) };
}

describe("quickstart", () => {
  it("a trigger → greet run succeeds with every block's output, the greeting included", async () => {
    const definition = {
      blocks: [
        { id: "trg", type: "trigger_webhook", params: {} },
        { id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } },
      ],
      edges: [{ source: "trg", target: "greet" }],
    };
    const input = { method: "POST", headers: {}, query: {}, body: { name: "Ada" } };
    const { runId, run: done } = await run(definition, input);
    expect(done).toMatchObject({ status: "succeeded", error: null, trigger: "manual", workflowVersion: 1, input });
    expect(done.output).toEqual({ trg: input, greet: { message: "Hello, Ada!" } });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    const logs = await runLogs(app, user.organizationId, runId);
    expect(logs.map((l) => [l.blockId, l.status, l.attempt])).toEqual([
      ["trg", "succeeded", 1],
      ["greet", "succeeded", 1],
    ]);
    expect(logs[1]).toMatchObject({ blockType: "greet", input: { name: "Ada" }, output: { message: "Hello, Ada!" }, error: null });
    const res = await call(app, "GET", `/api/runs/${runId}`, { headers: user.bearer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: runId, status: "succeeded", output: { greet: { message: "Hello, Ada!" } } });
  });
});

describe("scheduling", () => {
  const branchJoin = {
    blocks: [
      trigger,
      { id: "check", type: "condition", params: { left: "{{trg.score}}", op: "gte", right: 50 } },
      { id: "high", type: "transform", params: { value: "high" } },
      { id: "low", type: "transform", params: { value: "low" } },
      { id: "afterLow", type: "log", params: { message: "only on the low path" } },
      { id: "join", type: "log", params: { message: "joined" } },
    ],
    edges: [
      { source: "trg", target: "check" },
      { source: "check", target: "high", sourceHandle: "true" },
      { source: "check", target: "low", sourceHandle: "false" },
      { source: "low", target: "afterLow" },
      { source: "high", target: "join" },
      { source: "afterLow", target: "join" },
    ],
  };

  it("a condition takes one branch; the other is skipped (cascading) and the join after both runs once", async () => {
    for (const [score, taken, untaken] of [
      [70, "high", ["low", "afterLow"]],
      [10, "low", ["high"]],
    ] as const) {
      const { runId, run: done } = await run(branchJoin, { score });
      expect(done.status).toBe("succeeded");
      expect(done.output).toMatchObject({ check: { result: score >= 50 }, [taken]: { value: taken }, join: { message: "joined" } });
      for (const id of untaken) expect(done.output).not.toHaveProperty(id);
      const logs = await runLogs(app, user.organizationId, runId);
      expect(logs.filter((l) => l.blockId === "join")).toHaveLength(1);
      for (const id of untaken) {
        expect(logs.find((l) => l.blockId === id)).toMatchObject({ status: "skipped", attempt: 0 });
      }
    }
  });

  it("a disabled block is skipped with a log entry, and so is everything only it leads to", async () => {
    const { runId, run: done } = await run({
      blocks: [trigger, { id: "off", type: "log", params: { message: "never" }, enabled: false }, { id: "next", type: "log", params: { message: "never" } }],
      edges: [
        { source: "trg", target: "off" },
        { source: "off", target: "next" },
      ],
    });
    expect(done.status).toBe("succeeded");
    expect(Object.keys(done.output ?? {})).toEqual(["trg"]);
    const logs = await runLogs(app, user.organizationId, runId);
    expect(logs.find((l) => l.blockId === "off")).toMatchObject({ status: "skipped", messages: [{ message: expect.stringContaining("disabled") }] });
    expect(logs.find((l) => l.blockId === "next")).toMatchObject({ status: "skipped" });
  });

  it("independent ready blocks run concurrently", async () => {
    const { runId, run: done } = await run({
      blocks: [trigger, { id: "a", type: "sleepy", params: { ms: 400 } }, { id: "b", type: "sleepy", params: { ms: 400 } }],
      edges: [
        { source: "trg", target: "a" },
        { source: "trg", target: "b" },
      ],
    });
    expect(done.status).toBe("succeeded");
    const logs = await runLogs(app, user.organizationId, runId);
    const a = logs.find((l) => l.blockId === "a");
    const b = logs.find((l) => l.blockId === "b");
    // Each slept 400 ms; they overlapped if each started before the other ended.
    expect(Date.parse(a?.startedAt ?? "")).toBeLessThan(Date.parse(b?.finishedAt ?? ""));
    expect(Date.parse(b?.startedAt ?? "")).toBeLessThan(Date.parse(a?.finishedAt ?? ""));
  });
});

describe("failures and retries", () => {
  // `{{trg.obj}}` resolves to an object, which the log's string `message` rejects after resolution.
  const badLog = { id: "bad", type: "log", params: { message: "{{trg.obj}}" } };

  it("a failing block with no error edge fails the run with its id and code; nothing after it runs", async () => {
    const { runId, run: done } = await run(
      { blocks: [trigger, badLog, { id: "after", type: "log", params: { message: "x" } }], edges: [{ source: "trg", target: "bad" }, { source: "bad", target: "after" }] },
      { obj: { a: 1 } },
    );
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ blockId: "bad", code: "invalid_param", message: expect.stringContaining("message") });
    expect(done.output).toEqual({ trg: { obj: { a: 1 } } });
    const logs = await runLogs(app, user.organizationId, runId);
    expect(logs.find((l) => l.blockId === "bad")).toMatchObject({ status: "failed", attempt: 1, error: { code: "invalid_param" } });
    expect(logs.find((l) => l.blockId === "after")).toBeUndefined();
  });

  it("a failing block with an error edge routes there with {{id.error.message}}; its success path is skipped and the run succeeds", async () => {
    const { runId, run: done } = await run(
      {
        blocks: [
          trigger,
          badLog,
          { id: "ok", type: "log", params: { message: "success path" } },
          { id: "handler", type: "transform", params: { value: "caught: {{bad.error.message}}" } },
        ],
        edges: [
          { source: "trg", target: "bad" },
          { source: "bad", target: "ok" },
          { source: "bad", target: "handler", sourceHandle: "error" },
        ],
      },
      { obj: { a: 1 } },
    );
    expect(done.status).toBe("succeeded");
    expect(done.output?.bad).toEqual({ error: { message: expect.any(String), code: "invalid_param" } });
    expect(done.output?.handler).toEqual({ value: `caught: ${(done.output?.bad as { error: { message: string } }).error.message}` });
    const logs = await runLogs(app, user.organizationId, runId);
    expect(logs.find((l) => l.blockId === "ok")).toMatchObject({ status: "skipped" });
  });

  it("a block is attempted retry.maxAttempts times with its backoff between attempts, and succeeds on the last", async () => {
    const { runId, run: done } = await run({
      blocks: [trigger, { id: "f", type: "flaky", params: { fail: 2 }, retry: { maxAttempts: 3, backoff: { initialMs: 300, factor: 2, maxMs: 10_000 } } }],
      edges: [{ source: "trg", target: "f" }],
    });
    expect(done.status).toBe("succeeded");
    expect(done.output?.f).toEqual({ calls: 3 });
    expect(connectorCalls.get(`${runId}/f`)).toBe(3);
    const attempts = (await runLogs(app, user.organizationId, runId)).filter((l) => l.blockId === "f");
    expect(attempts.map((l) => [l.attempt, l.status])).toEqual([
      [1, "failed"],
      [2, "failed"],
      [3, "succeeded"],
    ]);
    expect(attempts[0].error).toMatchObject({ code: "flaky", message: "flaky call 1 failed" });
    const gap = (i: number) => Date.parse(attempts[i].startedAt ?? "") - Date.parse(attempts[i - 1].finishedAt ?? "");
    expect(gap(1)).toBeGreaterThanOrEqual(300);
    expect(gap(2)).toBeGreaterThanOrEqual(600);
  });

  it("a block that fails every attempt fails the run after exactly maxAttempts attempts", async () => {
    const { runId, run: done } = await run({
      blocks: [trigger, { id: "f", type: "flaky", params: { fail: 99 }, retry: { maxAttempts: 2, backoff: { initialMs: 50, factor: 1, maxMs: 50 } } }],
      edges: [{ source: "trg", target: "f" }],
    });
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ blockId: "f", code: "flaky", message: "flaky call 2 failed" });
    expect(connectorCalls.get(`${runId}/f`)).toBe(2);
    const attempts = (await runLogs(app, user.organizationId, runId)).filter((l) => l.blockId === "f");
    expect(attempts.map((l) => l.attempt)).toEqual([1, 2]);
  });

  it("a run that needs more durable steps than openworkflow allows (1000) fails with step_limit instead of hanging", async () => {
    const chain = Array.from({ length: 1_000 }, (_, i) => ({ id: `b${i}`, type: "log", params: { message: `step ${i}` } }));
    const { run: done } = await run({
      blocks: [trigger, ...chain],
      edges: chain.map((b, i) => ({ source: i === 0 ? "trg" : `b${i - 1}`, target: b.id })),
    });
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ code: "step_limit", blockId: "b999" });
    expect(Object.keys(done.output ?? {})).toHaveLength(1_000);
  }, 60_000);

  it("with no retry policy a failing block is attempted once", async () => {
    const { runId, run: done } = await run({ blocks: [trigger, { id: "f", type: "flaky", params: { fail: 1 } }], edges: [{ source: "trg", target: "f" }] });
    expect(done.status).toBe("failed");
    expect(connectorCalls.get(`${runId}/f`)).toBe(1);
  });
});

describe("dispatch", () => {
  it("a run keeps the definition pinned at dispatch: patching the workflow mid-run does not change it", async () => {
    const workflowId = await createWorkflow(app, user.bearer, {
      blocks: [trigger, { id: "pause", type: "wait_duration", params: { seconds: 1 } }, { id: "greet", type: "greet", params: { name: "v1" } }],
      edges: [
        { source: "trg", target: "pause" },
        { source: "pause", target: "greet" },
      ],
    });
    const runId = await dispatchRun(app, user.bearer, workflowId);
    await runWhen(app, user.organizationId, runId, (r) => r.status === "waiting");
    const patched = await call(app, "POST", `/api/workflows/${workflowId}/operations`, {
      headers: user.bearer,
      body: { ops: [{ operation_type: "update", block_id: "greet", params: { name: "v2" } }] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.version).toBe(2);
    const done = await finishedRun(app, user.organizationId, runId);
    expect(done).toMatchObject({ status: "succeeded", workflowVersion: 1, output: { greet: { message: "Hello, v1!" } } });
    const next = await finishedRun(app, user.organizationId, await dispatchRun(app, user.bearer, workflowId));
    expect(next).toMatchObject({ workflowVersion: 2, output: { greet: { message: "Hello, v2!" } } });
  });

  it("the same idempotency key for the same workflow returns the same run; another key or workflow makes a new one", async () => {
    const definition = { blocks: [trigger], edges: [] };
    const workflowId = await createWorkflow(app, user.bearer, definition);
    const other = await createWorkflow(app, user.bearer, definition);
    const first = await dispatchRun(app, user.bearer, workflowId, { idempotencyKey: "order-1", input: { n: 1 } });
    const again = await dispatchRun(app, user.bearer, workflowId, { idempotencyKey: "order-1", input: { n: 2 } });
    const racing = await Promise.all([1, 2, 3].map(() => dispatchRun(app, user.bearer, workflowId, { idempotencyKey: "order-2" })));
    expect(again).toBe(first);
    expect(new Set(racing).size).toBe(1);
    expect(racing[0]).not.toBe(first);
    expect(await dispatchRun(app, user.bearer, other, { idempotencyKey: "order-1" })).not.toBe(first);
    const done = await finishedRun(app, user.organizationId, first);
    expect(done.input).toEqual({ n: 1 });
    const page = await app.runtime.listRuns(user.organizationId, { workflowId, limit: 50 });
    expect(page !== "invalid_cursor" && page.data.length).toBe(2);
  });

  it("an idempotency key older than 24 hours is released: the same key then starts a new run", async () => {
    const workflowId = await createWorkflow(app, user.bearer, { blocks: [trigger], edges: [] });
    const first = await dispatchRun(app, user.bearer, workflowId, { idempotencyKey: "daily" });
    await app.database.sql`UPDATE runs SET created_at = now() - interval '25 hours' WHERE id = ${first}`;
    const second = await dispatchRun(app, user.bearer, workflowId, { idempotencyKey: "daily" });
    expect(second).not.toBe(first);
    expect(await dispatchRun(app, user.bearer, workflowId, { idempotencyKey: "daily" })).toBe(second);
  });

  it("several workers on one database share the runs, and each block still runs exactly once", async () => {
    const second = await startTestWorker(app, { concurrency: 2 });
    try {
      const workflowId = await createWorkflow(app, user.bearer, {
        blocks: [trigger, { id: "nap", type: "sleepy", params: { ms: 100 } }],
        edges: [{ source: "trg", target: "nap" }],
      });
      const runIds = await Promise.all(Array.from({ length: 24 }, () => dispatchRun(app, user.bearer, workflowId)));
      const runs = await Promise.all(runIds.map((id) => finishedRun(app, user.organizationId, id)));
      expect(runs.every((r) => r.status === "succeeded")).toBe(true);
      expect(runIds.map((id) => connectorCalls.get(`${id}/nap`))).toEqual(runIds.map(() => 1));
      const owners = await app.database.sql`
        SELECT DISTINCT worker_id FROM openworkflow.workflow_runs WHERE input->>'runId' IN ${app.database.sql(runIds)}`;
      expect(owners.length).toBeGreaterThan(4); // the first worker has 4 slots: the second took some runs too
    } finally {
      await second.stop();
    }
  });
});

describe("secrets", () => {
  it("secret values are resolved in the worker but never stored: logs, outputs and openworkflow's steps hold [REDACTED]", async () => {
    const value = `tok-${Math.random().toString(36).slice(2)}-secret`;
    expect((await call(app, "POST", "/api/secrets", { headers: user.bearer, body: { name: "TOKEN", value } })).status).toBe(201);
    const { runId, run: done } = await run({
      blocks: [
        trigger,
        { id: "auth", type: "transform", params: { value: { header: "Bearer {{secrets.TOKEN}}", raw: "{{secrets.TOKEN}}" } } },
        { id: "say", type: "log", params: { message: "token {{secrets.TOKEN}} and {{auth.value.header}}" } },
      ],
      edges: [
        { source: "trg", target: "auth" },
        { source: "auth", target: "say" },
      ],
    });
    expect(done.status).toBe("succeeded");
    expect(done.output?.auth).toEqual({ value: { header: "Bearer [REDACTED]", raw: "[REDACTED]" } });
    const stored = [
      ...(await app.database.sql`SELECT input::text, output::text, error::text, messages::text FROM run_logs WHERE run_id = ${runId}`),
      ...(await app.database.sql`SELECT input::text, output::text, error::text, definition::text FROM runs WHERE id = ${runId}`),
      ...(await app.database.sql`
        SELECT sa.output::text, sa.error::text, wr.input::text FROM openworkflow.step_attempts sa
        JOIN openworkflow.workflow_runs wr ON wr.id = sa.workflow_run_id WHERE wr.input->>'runId' = ${runId}`),
    ]
      .map((row) => JSON.stringify(row))
      .join("\n");
    expect(stored).toContain("[REDACTED]");
    expect(stored).not.toContain(value);
    const say = (await runLogs(app, user.organizationId, runId)).find((l) => l.blockId === "say");
    expect(say?.messages[0].message).toBe("token [REDACTED] and Bearer [REDACTED]");
  });

  it("a secret that is not set fails the block with missing_secret", async () => {
    const { run: done } = await run({
      blocks: [trigger, { id: "use", type: "transform", params: { value: "{{secrets.NOT_SET}}" } }],
      edges: [{ source: "trg", target: "use" }],
    });
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ blockId: "use", code: "missing_secret", message: expect.stringContaining("NOT_SET") });
  });
});

describe("queued runs (no worker running)", () => {
  let idle: TestApp;
  let owner: TestUser;
  beforeAll(async () => {
    idle = await createTestApp({ registry: testRegistry() });
    owner = await signUp(idle);
  });
  afterAll(async () => {
    await idle?.close();
  });

  it("a queued run shows its queue position in the organization; listing by status=queued finds it", async () => {
    const workflowId = await createWorkflow(idle, owner.bearer, { blocks: [trigger], edges: [] });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await dispatchRun(idle, owner.bearer, workflowId));
    const positions = await Promise.all(ids.map(async (id) => (await idle.runtime.getRun(owner.organizationId, id))?.queuePosition));
    expect(positions).toEqual([0, 1, 2]);
    const res = await call(idle, "GET", "/api/runs?status=queued", { headers: owner.bearer });
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
    // Newest first, paged with an opaque cursor; a cursor that is not ours is refused.
    const page = await idle.runtime.listRuns(owner.organizationId, { limit: 2 });
    if (page === "invalid_cursor") throw new Error("unexpected");
    expect(page.data.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const rest = await idle.runtime.listRuns(owner.organizationId, { limit: 2, after: page.nextCursor ?? undefined });
    expect(rest !== "invalid_cursor" && rest.data.map((r) => r.id)).toEqual([ids[0]]);
    expect(await idle.runtime.listRuns(owner.organizationId, { limit: 2, after: "not-a-cursor" })).toBe("invalid_cursor");
    for (const id of ids) await idle.runtime.cancel(owner.organizationId, id);
  });

  it("a run canceled while queued never executes", async () => {
    const workflowId = await createWorkflow(idle, owner.bearer, { blocks: [trigger, { id: "g", type: "greet", params: { name: "x" } }], edges: [{ source: "trg", target: "g" }] });
    const runId = await dispatchRun(idle, owner.bearer, workflowId);
    expect(await idle.runtime.cancel(owner.organizationId, runId)).toMatchObject({ status: "canceled" });
    // One slot: were the canceled run claimable, the worker would take it (the older) and end its
    // pass before it could take the sentinel dispatched after it.
    const late = await startTestWorker(idle, { concurrency: 1 });
    try {
      await sentinelRun(idle, owner.bearer, owner.organizationId);
      expect(await claimsOf(idle, runId)).toEqual({ attempts: 0, status: "canceled" });
      expect((await idle.runtime.getRun(owner.organizationId, runId))?.status).toBe("canceled");
      expect(await runLogs(idle, owner.organizationId, runId)).toEqual([]);
    } finally {
      await late.stop();
    }
  });

  it("a worker whose poll loop never runs still starts each dispatched run: the NOTIFY wakes it", async () => {
    // openworkflow's poll loop would find the runs within a second anyway; switched off, only the
    // worker's LISTEN can start them (after the pass it makes when it starts listening).
    const proto = Worker.prototype as unknown as { runLoop: () => Promise<void> };
    const runLoop = proto.runLoop;
    proto.runLoop = async () => {};
    // Two slots: a pass then always ends on a free slot with nothing announced or "may be waiting"
    // left, so a finished run's freed slot never looks for the next one on its own.
    const deaf = await startTestWorker(idle, { concurrency: 2 });
    try {
      const workflowId = await createWorkflow(idle, owner.bearer, { blocks: [trigger], edges: [] });
      for (let i = 0; i < 3; i++) {
        const runId = await dispatchRun(idle, owner.bearer, workflowId);
        expect((await finishedRun(idle, owner.organizationId, runId)).status).toBe("succeeded");
      }
    } finally {
      await deaf.stop();
      proto.runLoop = runLoop;
    }
  });

  it("a burst of dispatches (each one a NOTIFY that ticks the worker) never exceeds the worker's concurrency", async () => {
    const workflowId = await createWorkflow(idle, owner.bearer, {
      blocks: [trigger, { id: "nap", type: "sleepy", params: { ms: 150 } }],
      edges: [{ source: "trg", target: "nap" }],
    });
    const limited = await startTestWorker(idle, { concurrency: 2 });
    try {
      sleepyGauge.max = 0;
      const runIds = await Promise.all(Array.from({ length: 12 }, () => dispatchRun(idle, owner.bearer, workflowId)));
      const runs = await Promise.all(runIds.map((id) => finishedRun(idle, owner.organizationId, id)));
      expect(runs.every((r) => r.status === "succeeded")).toBe(true);
      expect(sleepyGauge.max).toBe(2);
    } finally {
      await limited.stop();
    }
  });

  /** Runs `request` while openworkflow's insert fails with SQLSTATE `code`, raised by Postgres itself. */
  async function whileEnqueueFails<T>(code: string, request: () => Promise<T>): Promise<T> {
    const sql = idle.database.sql;
    await sql.unsafe(`CREATE OR REPLACE FUNCTION public.weft_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = TG_ARGV[0]; END $$`);
    await sql.unsafe(`CREATE TRIGGER weft_test_refuse BEFORE INSERT ON openworkflow.workflow_runs FOR EACH ROW EXECUTE FUNCTION public.weft_test_refuse('${code}')`);
    try {
      return await request();
    } finally {
      await sql.unsafe("DROP TRIGGER weft_test_refuse ON openworkflow.workflow_runs");
    }
  }

  it("a run the database cannot take now (serialization failure) is not stored either: 503 run_not_started, nothing left queued", async () => {
    const workflowId = await createWorkflow(idle, owner.bearer, { blocks: [trigger], edges: [] });
    const before = await idle.database.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM runs WHERE workflow_id = ${workflowId}`;
    const res = await whileEnqueueFails("40001", () => call(idle, "POST", `/api/workflows/${workflowId}/run`, { headers: owner.bearer, body: {} }));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: "run_not_started" });
    expect(res.headers.get("retry-after")).toBe("1");
    expect(JSON.stringify(res.body)).not.toContain("refused by the test");
    const after = await idle.database.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM runs WHERE workflow_id = ${workflowId}`;
    expect(after[0].n).toBe(before[0].n);
    // The same request succeeds once the queue is back.
    expect(await dispatchRun(idle, owner.bearer, workflowId)).toMatch(/^run_/);
  });

  it("a run whose data the database refuses (SQLSTATE class 22) is 400 invalid_body without Retry-After, and not stored", async () => {
    const workflowId = await createWorkflow(idle, owner.bearer, { blocks: [trigger], edges: [] });
    const before = await idle.database.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM runs WHERE workflow_id = ${workflowId}`;
    const res = await whileEnqueueFails("22P05", () => call(idle, "POST", `/api/workflows/${workflowId}/run`, { headers: owner.bearer, body: {} }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_body" });
    expect(res.headers.get("retry-after")).toBeNull();
    const after = await idle.database.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM runs WHERE workflow_id = ${workflowId}`;
    expect(after[0].n).toBe(before[0].n);
  });
});
