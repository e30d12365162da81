/**
 * The runtime follows what a connector declares, never its type name: a `wait` declaration picks
 * the durable wait strategy, and `operatorParams` fill hidden params from the operator's settings
 * for any connector. Custom connectors with made-up types prove it, through a real worker.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { builtinConnectors } from "@/lib/connectors";
import { createRegistry, defineConnector } from "@/lib/engine/connector";
import { withOperatorParams } from "@/lib/runtime/block-attempt";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, runLogs, runWhen, startTestWorker, type TestWorker } from "../helpers/runtime";

/** A duration wait whose param is in milliseconds and whose type names no wait. */
const pauseMs = defineConnector({
  type: "pause_ms",
  name: "Pause (test)",
  description: "Waits ms milliseconds.",
  category: "test",
  kind: "wait",
  params: z.object({ ms: z.number().min(0) }).strict(),
  outputs: z.object({ waitedSeconds: z.number() }),
  wait: { kind: "duration", seconds: (params) => params.ms / 1000 },
});

/** An event wait that always waits for `approved`, keyed by its `ticket` param. */
const awaitApproval = defineConnector({
  type: "await_approval",
  name: "Await approval (test)",
  description: "Waits for an approved event for a ticket.",
  category: "test",
  kind: "wait",
  params: z.object({ ticket: z.string() }).strict(),
  outputs: z.object({ event: z.string(), data: z.unknown(), receivedAt: z.string(), timedOut: z.boolean().optional() }),
  handles: ["timeout"],
  wait: { kind: "event", match: (params) => ({ event: "approved", key: params.ticket }) },
});

/** An action that outputs the operator value it was handed through a hidden param. */
const operatorEcho = defineConnector({
  type: "operator_echo",
  name: "Operator echo (test)",
  description: "Outputs what the operator allowed.",
  category: "test",
  kind: "action",
  params: z.object({ note: z.string(), private_ok: z.boolean().optional().meta({ visibility: "hidden" }) }).strict(),
  outputs: z.object({ privateOk: z.unknown() }),
  operatorParams: { private_ok: (operator) => operator.allowPrivateHttp },
  run: async (_ctx, params) => ({ privateOk: params.private_ok ?? "unset" }),
});

/** Two actions that double a number, one declaring itself pure, one not, with names that say nothing about it. */
const doubleWithoutTrace = defineConnector({
  type: "double_a",
  name: "Double (test, pure)",
  description: "Doubles n.",
  category: "test",
  kind: "action",
  pure: true,
  params: z.object({ n: z.number() }).strict(),
  outputs: z.object({ n: z.number() }),
  run: async (_ctx, params) => ({ n: params.n * 2 }),
});
const doubleWithTrace = defineConnector({ ...doubleWithoutTrace, type: "double_b", name: "Double (test)", pure: undefined });

const registry = () => createRegistry([...builtinConnectors, pauseMs, awaitApproval, operatorEcho, doubleWithoutTrace, doubleWithTrace]);
const trigger = { id: "trg", type: "trigger_manual", params: {} };

interface Setup {
  app: TestApp;
  user: TestUser;
  worker: TestWorker;
}

async function setup(allowPrivateHttp: boolean): Promise<Setup> {
  const app = await createTestApp({ registry: registry() });
  try {
    const user = await signUp(app);
    const worker = await startTestWorker(app, { allowPrivateHttp });
    return { app, user, worker };
  } catch (error) {
    await app.close();
    throw error;
  }
}

async function run(s: Setup, definition: unknown) {
  const workflowId = await createWorkflow(s.app, s.user.bearer, definition);
  const runId = await dispatchRun(s.app, s.user.bearer, workflowId);
  return runId;
}

let allowed: Setup;
let refused: Setup;
let server: http.Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end("pong"));
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  allowed = await setup(true);
  refused = await setup(false);
});
afterAll(async () => {
  for (const s of [allowed, refused]) {
    await s?.worker.stop();
    await s?.app.close();
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("wait declarations", () => {
  it("a connector declaring a duration wait is run as a durable timer, whatever its type", async () => {
    const runId = await run(allowed, {
      blocks: [trigger, { id: "p", type: "pause_ms", params: { ms: 300 } }],
      edges: [{ source: "trg", target: "p" }],
    });
    const done = await finishedRun(allowed.app, allowed.user.organizationId, runId);
    expect(done).toMatchObject({ status: "succeeded", output: { p: { waitedSeconds: 0.3 } } });
    const logs = (await runLogs(allowed.app, allowed.user.organizationId, runId)).filter((l) => l.blockId === "p");
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ status: "succeeded", attempt: 1, input: { ms: 300 }, output: { waitedSeconds: 0.3 } });
    expect(logs[0].durationMs).toBeGreaterThanOrEqual(300);
    // It was a durable timer: the run was held by a duration wait on the block (closed once it resumed).
    const waits = await allowed.app.database.sql`SELECT kind, open FROM run_waits WHERE run_id = ${runId} AND block_id = 'p'`;
    expect(waits.map((w) => ({ ...w }))).toEqual([{ kind: "duration", open: false }]);
    // …and slept as an openworkflow step (a durable timer), not in process.
    const steps = await allowed.app.database.sql`
      SELECT s.step_name, s.kind FROM openworkflow.step_attempts s JOIN openworkflow.workflow_runs r ON r.id = s.workflow_run_id
      WHERE r.input->>'runId' = ${runId} AND s.step_name = 'p:sleep'`;
    expect(steps.map((s) => ({ ...s }))).toEqual([{ step_name: "p:sleep", kind: expect.any(String) }]);
  });

  it("a connector declaring an event wait parks until an event matching its declaration arrives", async () => {
    const org = allowed.user.organizationId;
    const runId = await run(allowed, {
      blocks: [trigger, { id: "gate", type: "await_approval", params: { ticket: "T-7" } }],
      edges: [{ source: "trg", target: "gate" }],
    });
    await runWhen(allowed.app, org, runId, (r) => r.status === "waiting");
    const other = await call(allowed.app, "POST", "/api/events", { headers: allowed.user.bearer, body: { event: "approved", key: "T-8", data: {} } });
    expect(other.status).toBeLessThan(300);
    const sent = await call(allowed.app, "POST", "/api/events", { headers: allowed.user.bearer, body: { event: "approved", key: "T-7", data: { by: "ada" } } });
    expect(sent.status).toBeLessThan(300);
    const done = await finishedRun(allowed.app, org, runId);
    expect(done).toMatchObject({ status: "succeeded", output: { gate: { event: "approved", data: { by: "ada" } } } });
  });
});

describe("operator params", () => {
  it("are merged over the resolved params for any connector that declares them, and only then", () => {
    const params = { note: "x", private_ok: "from the workflow" };
    expect(withOperatorParams(operatorEcho, params, { allowPrivateHttp: true })).toEqual({ note: "x", private_ok: true });
    expect(withOperatorParams(operatorEcho, params, { allowPrivateHttp: false })).toEqual({ note: "x", private_ok: false });
    const greet = builtinConnectors.find((c) => c.type === "greet")!;
    expect(withOperatorParams(greet, { name: "Ada" }, { allowPrivateHttp: true })).toEqual({ name: "Ada" });
  });

  it("reach a custom connector's run with the worker's setting, and are not logged as its input", async () => {
    for (const [s, expected] of [
      [allowed, true],
      [refused, false],
    ] as const) {
      const runId = await run(s, {
        blocks: [trigger, { id: "echo", type: "operator_echo", params: { note: "hi" } }],
        edges: [{ source: "trg", target: "echo" }],
      });
      const done = await finishedRun(s.app, s.user.organizationId, runId);
      expect(done).toMatchObject({ status: "succeeded", output: { echo: { privateOk: expected } } });
      const [log] = (await runLogs(s.app, s.user.organizationId, runId)).filter((l) => l.blockId === "echo");
      expect(log.input).toEqual({ note: "hi" });
    }
  });

  it("http_request reaches 127.0.0.1 only on a worker whose operator allows private addresses", async () => {
    const definition = {
      blocks: [trigger, { id: "ping", type: "http_request", params: { method: "GET", url: `http://127.0.0.1:${port}/` } }],
      edges: [{ source: "trg", target: "ping" }],
    };
    const before = connections;
    const blocked = await finishedRun(refused.app, refused.user.organizationId, await run(refused, definition));
    expect(blocked).toMatchObject({ status: "failed", error: { blockId: "ping", code: "ssrf_blocked" } });
    expect(connections).toBe(before);
    const ok = await finishedRun(allowed.app, allowed.user.organizationId, await run(allowed, definition));
    expect(ok).toMatchObject({ status: "succeeded", output: { ping: { status: 200, body: "pong" } } });
    expect(connections).toBe(before + 1);
  });
});

describe("pure declarations", () => {
  it("only the built-in connectors that cannot be noticed running twice declare pure: the triggers, transform, condition, switch", () => {
    expect(builtinConnectors.filter((c) => c.pure).map((c) => c.type).sort()).toEqual(["condition", "switch", "transform", "trigger_manual", "trigger_schedule", "trigger_webhook"]);
  });

  it("a connector declaring pure becomes durable with the next block that does not; one that does not declare it, at once, whatever their types", async () => {
    const runId = await run(allowed, {
      blocks: [
        trigger,
        { id: "p1", type: "double_a", params: { n: 1 } },
        { id: "p2", type: "double_a", params: { n: "{{p1.n}}" } },
        { id: "q", type: "double_b", params: { n: "{{p2.n}}" } },
        { id: "p3", type: "double_a", params: { n: "{{q.n}}" } },
      ],
      edges: [
        { source: "trg", target: "p1" },
        { source: "p1", target: "p2" },
        { source: "p2", target: "q" },
        { source: "q", target: "p3" },
      ],
    });
    const done = await finishedRun(allowed.app, allowed.user.organizationId, runId);
    expect(done).toMatchObject({ status: "succeeded", output: { p3: { n: 16 } } });
    const sql = allowed.app.database.sql;
    const rows = await sql<{ block_id: string; tx: string }[]>`SELECT block_id, xmin::text AS tx FROM run_logs WHERE run_id = ${runId} ORDER BY id`;
    const tx = Object.fromEntries(rows.map((r) => [r.block_id, r.tx]));
    expect(rows.map((r) => r.block_id)).toEqual(["trg", "p1", "p2", "q", "p3"]);
    expect([tx.trg, tx.p1], "pure blocks followed by pure blocks wait for the next completion").toEqual([tx.p2, tx.p2]);
    expect(new Set([tx.p2, tx.q, tx.p3]).size, "p2 (followed by a block that is not pure), q and the last block are written each on its own").toBe(3);
  });
});
