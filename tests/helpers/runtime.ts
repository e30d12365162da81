/**
 * An in-process worker for a test app: executes the app's runs against its database, with the
 * app's secrets key and connector registry. http_request may reach 127.0.0.1 (tests only talk to
 * servers they start there) unless `allowPrivateHttp: false`.
 */
import { z } from "zod";
import { openworkflowSchemaOf } from "@/db/client";
import { builtinConnectors } from "@/lib/connectors";
import { createRegistry, defineConnector, type ConnectorRegistry } from "@/lib/engine/connector";
import type { Logger } from "@/lib/log";
import { FINAL_STATUSES, type RunLogEntry, type RunResource } from "@/lib/resources/run";
import { startWorker } from "@/lib/runtime";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "./api";

/** Calls of the test connectors, by `<runId>/<blockId>`. */
export const connectorCalls = new Map<string, number>();

/** `flaky`: throws on its first `fail` calls within a run, then outputs `{ calls }`. */
export const flaky = defineConnector({
  type: "flaky",
  name: "Flaky (test)",
  description: "Fails its first `fail` calls in a run.",
  category: "test",
  kind: "action",
  params: z.object({ fail: z.number().int().min(0) }).strict(),
  outputs: z.object({ calls: z.number() }),
  run: async (ctx, params) => {
    const key = `${ctx.runId}/${ctx.blockId}`;
    const calls = (connectorCalls.get(key) ?? 0) + 1;
    connectorCalls.set(key, calls);
    if (calls <= params.fail) throw Object.assign(new Error(`flaky call ${calls} failed`), { code: "flaky" });
    return { calls };
  },
});

/** How many `sleepy` blocks run right now in this process, and the most at once. */
export const sleepyGauge = { active: 0, max: 0 };
/** The same per organization, across every worker of this process. */
export const sleepyGaugeByOrg = new Map<string, { active: number; max: number }>();

/** `sleepy`: waits `ms` (aborted by a cancel), then outputs `{ slept }`. */
export const sleepy = defineConnector({
  type: "sleepy",
  name: "Sleepy (test)",
  description: "Waits a while.",
  category: "test",
  kind: "action",
  params: z.object({ ms: z.number().int().min(0) }).strict(),
  outputs: z.object({ slept: z.number() }),
  run: async (ctx, params) => {
    const key = `${ctx.runId}/${ctx.blockId}`;
    connectorCalls.set(key, (connectorCalls.get(key) ?? 0) + 1);
    sleepyGauge.active++;
    sleepyGauge.max = Math.max(sleepyGauge.max, sleepyGauge.active);
    let org = sleepyGaugeByOrg.get(ctx.organizationId);
    if (!org) sleepyGaugeByOrg.set(ctx.organizationId, (org = { active: 0, max: 0 }));
    org.active++;
    org.max = Math.max(org.max, org.active);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, params.ms);
        ctx.signal.addEventListener("abort", () => (clearTimeout(timer), reject(new Error("aborted"))), { once: true });
      });
    } finally {
      sleepyGauge.active--;
      org.active--;
    }
    return { slept: params.ms };
  },
});

/** The built-in connectors plus the test ones above. */
export function testRegistry(): ConnectorRegistry {
  return createRegistry([...builtinConnectors, flaky, sleepy]);
}

export interface TestWorker {
  stop(): Promise<void>;
}

/** Starts a worker for `app`; stop it before `app.close()` (afterAll). */
export async function startTestWorker(
  app: TestApp,
  options: { concurrency?: number; allowPrivateHttp?: boolean; orgMaxRunning?: number } = {},
): Promise<TestWorker> {
  return startWorker({
    databaseUrl: app.database.url,
    database: app.database,
    secretsKey: app.secretsKey,
    registry: app.registry,
    logger: app.logger,
    allowPrivateHttp: options.allowPrivateHttp ?? true,
    concurrency: options.concurrency ?? 4,
    orgMaxRunning: options.orgMaxRunning,
  });
}

/** The quickstart workflow: a webhook trigger → greet `{{trg.body.name}}`. */
export const quickstart = {
  blocks: [
    { id: "trg", type: "trigger_webhook", params: {} },
    { id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } },
  ],
  edges: [{ source: "trg", target: "greet" }],
};

export interface WorkerTestApp {
  app: TestApp;
  /** A signed-up user, owner of their (active) personal organization. */
  user: TestUser;
  /** Stops the worker, then closes the app. */
  close(): Promise<void>;
}

/**
 * The setup of a runtime test file (its beforeAll): an app on `testRegistry()`, one signed-up user
 * and a running worker. If a step fails, what was started is closed before the error is rethrown.
 */
export async function startWorkerTestApp(options: { concurrency?: number; logger?: Logger } = {}): Promise<WorkerTestApp> {
  const app = await createTestApp({ registry: testRegistry(), logger: options.logger });
  let user: TestUser;
  let worker: TestWorker;
  try {
    user = await signUp(app);
    worker = await startTestWorker(app, { concurrency: options.concurrency });
  } catch (error) {
    await app.close();
    throw error;
  }
  const close = async () => {
    await worker.stop();
    await app.close();
  };
  return { app, user, close };
}

/** Creates a workflow with `definition` through the API; returns its id. */
export async function createWorkflow(app: TestApp, headers: Record<string, string>, definition: unknown, name = "runtime test"): Promise<string> {
  const res = await call(app, "POST", "/api/workflows", { headers, body: { name, definition } });
  if (res.status !== 201) throw new Error(`POST /api/workflows: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Dispatches a run through `POST /api/workflows/:id/run`; returns the run id. */
export async function dispatchRun(
  app: TestApp,
  headers: Record<string, string>,
  workflowId: string,
  body: { input?: unknown; idempotencyKey?: string } = {},
): Promise<string> {
  const res = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers, body });
  if (res.status !== 202) throw new Error(`POST /api/workflows/${workflowId}/run: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.runId as string;
}

/** Waits for the run to reach a final status (fails the test after `timeoutMs`). */
export async function finishedRun(app: TestApp, organizationId: string, runId: string, timeoutMs = 20_000): Promise<RunResource> {
  const run = await app.runtime.waitForRun(organizationId, runId, timeoutMs);
  if (!run) throw new Error(`run ${runId} not found`);
  if (!FINAL_STATUSES.has(run.status)) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms`);
  return run;
}

/** Polls the run until `predicate` holds (fails after `timeoutMs`). */
export async function runWhen(
  app: TestApp,
  organizationId: string,
  runId: string,
  predicate: (run: RunResource) => boolean,
  timeoutMs = 15_000,
): Promise<RunResource> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await app.runtime.getRun(organizationId, runId);
    if (run && predicate(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} never matched; last: ${JSON.stringify(run)}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

/** Every log entry of a run, in order. */
export async function runLogs(app: TestApp, organizationId: string, runId: string): Promise<RunLogEntry[]> {
  const entries: RunLogEntry[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await app.runtime.listLogs(organizationId, runId, { after, limit: 500 });
    if (page === null || page === "invalid_cursor") throw new Error(`logs of ${runId}: ${page}`);
    entries.push(...page.data);
    if (!page.nextCursor) return entries;
    after = page.nextCursor;
  }
}

/**
 * Waits until a worker has dealt with everything that was claimable in the organization of
 * `headers` when called: dispatches a sentinel run (a lone manual trigger) and waits for it to
 * finish. Claims take an organization's resumable runs first and its queued runs oldest first, so a
 * run wrongly woken, or left claimable, before this call is claimed before the sentinel is (with a
 * one-slot worker, also run to the end of its pass first). Returns the sentinel's id.
 */
export async function sentinelRun(app: TestApp, headers: Record<string, string>, organizationId: string): Promise<string> {
  const workflowId = await createWorkflow(app, headers, { blocks: [{ id: "trg", type: "trigger_manual", params: {} }], edges: [] }, "sentinel");
  const runId = await dispatchRun(app, headers, workflowId);
  const run = await finishedRun(app, organizationId, runId);
  if (run.status !== "succeeded") throw new Error(`sentinel run ${runId} ended ${run.status}`);
  return runId;
}

/** How many times workers claimed the run (openworkflow's attempts), and openworkflow's status of it. */
export async function claimsOf(app: TestApp, runId: string): Promise<{ attempts: number; status: string }> {
  const sql = app.database.sql;
  const [row] = await sql<{ attempts: number; status: string }[]>`
    SELECT wr.attempts, wr.status FROM ${sql(openworkflowSchemaOf(app.database.schema))}.workflow_runs wr
    JOIN runs r ON r.ow_run_id = wr.id WHERE r.id = ${runId}`;
  if (!row) throw new Error(`run ${runId} has no openworkflow run`);
  return { attempts: row.attempts, status: row.status };
}
