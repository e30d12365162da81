/**
 * The openworkflow internals Weft's runtime overrides or reaches into (docs/openworkflow.md),
 * checked against the installed package and a real, migrated PostgreSQL. Every one of them is
 * private or undocumented in openworkflow 0.10.1, so an upgrade can change it without notice;
 * this file is what fails when one does. Each assertion names the Weft file that depends on it.
 * Before bumping openworkflow, read docs/openworkflow.md, "Upgrading".
 */
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import postgres from "postgres";
import { OpenWorkflow, Worker } from "openworkflow";
import { DEFAULT_NAMESPACE_ID } from "openworkflow/internal";
import { BackendPostgres } from "openworkflow/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENWORKFLOW_SCHEMA } from "@/db/client";
import { migrateDatabase, UNUSED_OPENWORKFLOW_INDEXES } from "@/db/migrate";
import {
  driveClaims,
  isParkError,
  isStaleBranchError,
  isStepLimitError,
  LEASE_MS,
  openWorkerBackend,
  openWorkflowBackend,
  parkResumeAt,
  releaseRun,
  STEP_INFRA_RETRY,
  stepErrorInfo,
  weftRunEnqueue,
  weftRunSpec,
} from "@/lib/runtime/openworkflow";
import type { RunInput } from "@/lib/runtime/types";
import { OPENWORKFLOW_FINAL } from "@/lib/store/retention";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const PINNED = "0.10.1";
const UPGRADE = "Re-read docs/openworkflow.md before bumping openworkflow.";

const OPENWORKFLOW_TS = "lib/runtime/openworkflow.ts";
const WORKER_TS = "lib/runtime/worker.ts";
const EXECUTE_RUN_TS = "lib/runtime/execute-run.ts";
const RUNTIME_TS = "lib/runtime/runtime.ts";
const RUNS_STORE_TS = "lib/store/runs.ts";
const MIGRATE_TS = "db/migrate.ts";
const RETENTION_TS = "lib/store/retention.ts";

const require = createRequire(import.meta.url);
/** The installed package's folder (its package.json is not exported, so resolve the entry point). */
const packageDir = resolve(dirname(require.resolve("openworkflow")), "..");
const distFile = (path: string): string => readFileSync(join(packageDir, "dist", path), "utf8");
const squash = (text: string): string => text.replace(/\s+/g, " ").trim();

/** The private parts of Worker that lib/runtime/openworkflow.ts uses. */
interface WorkerInternals {
  tick: () => Promise<number>;
  runLoop: () => Promise<void>;
  activeExecutions: Set<{ workerId: string }>;
  workerIds: string[];
  concurrency: number;
  claimAndProcessWorkflowRunInBackground: (workerId: string) => Promise<Record<string, unknown> | null>;
}
const internalsOf = (worker: Worker) => worker as unknown as WorkerInternals;

describe("the installed package", () => {
  it(`is openworkflow ${PINNED}, pinned exactly, sharing the app's postgres.js`, () => {
    const installed = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { name: string; version: string };
    expect(installed.name).toBe("openworkflow");
    expect(installed.version, `node_modules has openworkflow ${installed.version}, the runtime was built against ${PINNED}. ${UPGRADE}`).toBe(PINNED);
    const ours = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(ours.dependencies.openworkflow, `package.json must pin openworkflow exactly (no ^ or ~): the runtime uses its private internals. ${UPGRADE}`).toBe(PINNED);
    // openWorkflowBackend hands our postgres.js pool to BackendPostgres.fromPool with a cast.
    expect(
      existsSync(join(packageDir, "node_modules", "postgres")),
      `${OPENWORKFLOW_TS} (openWorkflowBackend) passes the app's postgres.js pool to openworkflow; it must not bring its own copy`,
    ).toBe(false);
  });
});

describe("Worker internals (driveClaims)", () => {
  it("Worker.prototype.tick exists and the stock poll loop calls this.tick()", () => {
    const proto = Worker.prototype as unknown as WorkerInternals;
    expect(typeof proto.tick, `${OPENWORKFLOW_TS} driveClaims replaces Worker.tick on the instance`).toBe("function");
    expect(typeof proto.runLoop, `${OPENWORKFLOW_TS} driveClaims relies on the stock runLoop polling through this.tick()`).toBe("function");
    expect(
      proto.runLoop.toString(),
      `${OPENWORKFLOW_TS} driveClaims patches the instance's tick so that the stock poll loop (runLoop) goes through its single-flight pass; runLoop must still call this.tick()`,
    ).toContain("this.tick()");
  });

  it("a worker has activeExecutions (a Set), one workerId per slot and claimAndProcessWorkflowRunInBackground", async () => {
    const backend = openWorkflowBackend("postgres://unused.invalid/none", 1); // never connects: nothing is queried
    try {
      const worker = internalsOf(new Worker({ backend, workflows: [], concurrency: 3 }));
      expect(worker.activeExecutions instanceof Set, `${OPENWORKFLOW_TS} driveClaims counts busy slots in Worker.activeExecutions and patches its delete()`).toBe(true);
      expect(Array.isArray(worker.workerIds) && worker.workerIds.length === 3, `${OPENWORKFLOW_TS} driveClaims picks a free slot from Worker.workerIds (one per concurrency slot)`).toBe(true);
      expect(worker.concurrency, `${OPENWORKFLOW_TS} driveClaims assumes concurrency === workerIds.length`).toBe(3);
      expect(
        typeof worker.claimAndProcessWorkflowRunInBackground,
        `${OPENWORKFLOW_TS} driveClaims claims one run at a time with Worker.claimAndProcessWorkflowRunInBackground(workerId)`,
      ).toBe("function");
      // driveClaims' own guard (internalsOf) accepts a real worker.
      expect(() => driveClaims(worker as unknown as Worker, { stopped: () => true, onError: () => {} }), `${OPENWORKFLOW_TS} driveClaims refuses this Worker`).not.toThrow();
    } finally {
      await backend.stop();
    }
  });

  it("a worker claims through its backend's claimWorkflowRun({ workerId, leaseDurationMs }), which the fair claim replaces", () => {
    expect(typeof BackendPostgres.prototype.claimWorkflowRun, `${OPENWORKFLOW_TS} openWorkerBackend replaces BackendPostgres.claimWorkflowRun on its instance`).toBe("function");
    const source = squash(distFile("worker/worker.js"));
    expect(
      source,
      `${OPENWORKFLOW_TS} openWorkerBackend: the worker must claim through this.backend.claimWorkflowRun, so the fair claim (db/admission.ts) is the only way a Weft worker takes a run`,
    ).toContain("const workflowRun = await this.backend.claimWorkflowRun({ workerId, leaseDurationMs: DEFAULT_LEASE_DURATION_MS, });");
  });

  it("the claim removes a finished execution from activeExecutions with delete()", () => {
    const source = squash(distFile("worker/worker.js"));
    expect(
      source,
      `${OPENWORKFLOW_TS} driveClaims wraps activeExecutions.delete to claim again as soon as a slot frees (eager re-tick)`,
    ).toContain("this.activeExecutions.delete(execution)");
    expect(source, `${OPENWORKFLOW_TS} driveClaims reads the slot of each execution from its workerId`).toMatch(/Array\.from\(this\.activeExecutions, \(execution\) => execution\.workerId\)/);
  });
});

describe("constants and control-flow errors in the package's dist files", () => {
  it("the lease is 30 s, heartbeated at half of it", () => {
    const source = distFile("worker/worker.js");
    expect(
      source,
      `${WORKER_TS}, worker/index.ts and docs/openworkflow.md state that a killed worker's runs are re-claimed after the 30 s lease`,
    ).toMatch(/const DEFAULT_LEASE_DURATION_MS = 30 \* 1000;/);
    expect(LEASE_MS, `${OPENWORKFLOW_TS} LEASE_MS: batch claims lease for openworkflow's own lease`).toBe(30_000);
    expect(source, `${WORKER_TS}: a run is heartbeated every 15 s (half the lease)`).toMatch(/heartbeatIntervalMs = leaseDurationMs \/ 2/);
  });

  it("the errors the workflow fn recognises by name keep their names and fields", () => {
    const execution = distFile("worker/execution.js");
    const stepHistory = distFile("worker/step-history.js");
    const expectName = (source: string, name: string, who: string) =>
      expect(source, `${who} matches openworkflow's ${name} by its name`).toContain(`this.name = "${name}";`);
    expectName(execution, "SleepSignalError", `${OPENWORKFLOW_TS} isParkError (and ${EXECUTE_RUN_TS}, which must rethrow it)`);
    expectName(execution, "StaleExecutionBranchError", `${OPENWORKFLOW_TS} isParkError/isStaleBranchError (and ${EXECUTE_RUN_TS})`);
    expectName(execution, "StepError", `${OPENWORKFLOW_TS} stepErrorInfo`);
    expectName(stepHistory, "StepLimitExceededError", `${OPENWORKFLOW_TS} isStepLimitError (${EXECUTE_RUN_TS} fails the run with code step_limit)`);
    expect(execution, `${OPENWORKFLOW_TS} parkResumeAt reads SleepSignalError.resumeAt`).toMatch(/class SleepSignalError extends Error \{\s*resumeAt;/);
    expect(execution, `${OPENWORKFLOW_TS} stepErrorInfo reads StepError.stepFailedAttempts and StepError.retryPolicy`).toMatch(
      /class StepError extends Error \{\s*stepName;\s*stepFailedAttempts;\s*retryPolicy;/,
    );
    expect(stepHistory, `${EXECUTE_RUN_TS} tells the user the limit is 1000 step attempts per run`).toContain("export const WORKFLOW_STEP_LIMIT = 1000;");
  });

  it("the terminal run statuses are the ones retention treats as finished", () => {
    expect(
      squash(distFile("core/workflow-run.js")),
      `${RETENTION_TS} deletes an openworkflow run only in a terminal status (OPENWORKFLOW_FINAL); any other is in use`,
    ).toContain(`return ${JSON.stringify([...OPENWORKFLOW_FINAL]).replaceAll(",", ", ")}.includes(status);`);
  });

  it("a workflow retry policy of maximumAttempts 0 means unlimited", () => {
    expect(
      squash(distFile("core/workflow-definition.js")),
      `${OPENWORKFLOW_TS} weftRunSpec sets maximumAttempts: 0 so that a pass that throws outside a step is retried without limit`,
    ).toContain("if (retryPolicy.maximumAttempts > 0 && // 0 = unlimited attempts attempts >= retryPolicy.maximumAttempts)");
  });

  it("step.run completes a step with its fn's result object itself, and a pass loads its history with listStepAttempts, first page without a cursor", () => {
    const execution = squash(distFile("worker/execution.js"));
    // openWorkerBackend's completeStepAttempt finds the staged run log write by the output's identity.
    expect(execution, `${OPENWORKFLOW_TS} openWorkerBackend (stageWrite) relies on step.run passing its fn's result to completeStepAttempt`).toContain(
      "const savedAttempt = await this.completeStepAttemptAndRecord(attempt, normalizeStepOutput(result));",
    );
    expect(squash(distFile("core/step-attempt.js")), `${OPENWORKFLOW_TS} stageWrite: normalizeStepOutput must keep the object itself`).toContain(
      "export function normalizeStepOutput(result) { return (result ?? null); }",
    );
    // openWorkerBackend answers the first page of a first claim's history without a query.
    expect(execution, `${OPENWORKFLOW_TS} openWorkerBackend (listStepAttempts) expects a pass to load its history from the first page`).toContain(
      "const response = await backend.listStepAttempts({ workflowRunId, ...(cursor ? { after: cursor } : {}), limit: WORKFLOW_STEP_LIMIT, });",
    );
  });

  it("completeStepAttempt is the statement foldedStepCompletion copies", () => {
    const backendJs = squash(distFile("postgres/backend.js"));
    const method = backendJs.split("async completeStepAttempt(params) {")[1]?.split("async failStepAttempt(")[0] ?? "";
    const copied = [
      "WITH owned_workflow_run AS ( ${this.runningWorkflowRunOwnedByWorkerForUpdate(params)} ) UPDATE ${stepAttemptsTable} sa SET",
      '"status" = \'completed\', "output" = CASE WHEN sa."status" = \'running\' THEN ${this.pg.json(params.output)} ELSE sa."output" END, "error" = NULL, "finished_at" = COALESCE(sa."finished_at", NOW()), "updated_at" = CASE WHEN sa."status" = \'running\' THEN NOW() ELSE sa."updated_at" END',
      "FROM owned_workflow_run WHERE sa.\"status\" IN ('running', 'completed') AND ${this.stepAttemptByIdWhere(params)} RETURNING sa.*",
      'requireRow(updated, "mark step attempt completed");',
    ];
    for (const part of copied) expect(method, `${OPENWORKFLOW_TS} foldedStepCompletion copies openworkflow's completeStepAttempt; it changed`).toContain(part);
    const create = backendJs.split("async createStepAttempt(params) {")[1]?.split("async setStepAttemptChildWorkflowRun(")[0] ?? "";
    expect(create, `${OPENWORKFLOW_TS} foldedStepCompletion's ahead copies openworkflow's createStepAttempt; it changed`).toContain(
      'INSERT INTO ${stepAttemptsTable} ( "namespace_id", "id", "workflow_run_id", "step_name", "kind", "status", "config", "context", "started_at", "created_at", "updated_at" ) SELECT ${this.namespaceId}, gen_random_uuid(), ${params.workflowRunId}, ${params.stepName}, ${params.kind}, \'running\', ${this.pg.json(params.config)}, ${this.pg.json(params.context)}, NOW(), date_trunc(\'milliseconds\', NOW()), NOW() FROM owned_workflow_run RETURNING *',
    );
    expect(squash(distFile("worker/execution.js")), "step.run creates attempt 1 of a step as a function step with an empty config and no context").toContain(
      'const attempt = await this.createNewStepAttempt(stepName, "function", null);',
    );
    const completeRun = backendJs.split("async completeWorkflowRun(params) {")[1]?.split("async failWorkflowRun(")[0] ?? "";
    expect(completeRun, `${OPENWORKFLOW_TS} foldedStepCompletion's run_done copies openworkflow's completeWorkflowRun; it changed`).toContain(
      'SET "status" = \'completed\', "output" = ${this.pg.json(params.output)}, "error" = NULL, "worker_id" = ${params.workerId}, "available_at" = NULL, "finished_at" = NOW(), "updated_at" = NOW() WHERE ${this.runningWorkflowRunOwnedByWorkerWhere(params)} RETURNING *',
    );
    expect(completeRun, `${OPENWORKFLOW_TS} openWorkerBackend's completeWorkflowRun wakes a parent as openworkflow's does`).toContain("await this.wakeParentWorkflowRun(updated);");
    expect(backendJs).toContain('SELECT 1 FROM ${workflowRunsTable} WHERE ${this.runningWorkflowRunOwnedByWorkerWhere(params)} FOR NO KEY UPDATE');
    expect(backendJs).toContain('"namespace_id" = ${this.namespaceId} AND "id" = ${params.workflowRunId} AND "status" = \'running\' AND "worker_id" = ${params.workerId}');
    expect(backendJs).toContain('sa."namespace_id" = ${this.namespaceId} AND sa."workflow_run_id" = ${params.workflowRunId} AND sa."id" = ${params.stepAttemptId}');
  });

  it("openworkflow's own pools transform columns to camelCase, as openWorkflowBackend's pool does", () => {
    expect(typeof BackendPostgres.fromPool, `${OPENWORKFLOW_TS} openWorkflowBackend builds backends with BackendPostgres.fromPool`).toBe("function");
    expect(squash(distFile("postgres/postgres.js")), `${OPENWORKFLOW_TS} openWorkflowBackend copies newPostgres' column transform (postgres.toCamel)`).toContain(
      "transform: { column: { from: postgres.toCamel, }, },",
    );
    expect(DEFAULT_NAMESPACE_ID, `${OPENWORKFLOW_TS} weftRunEnqueue inserts runs into openworkflow's default namespace`).toBe("default");
    expect(squash(distFile("postgres/postgres.js")), `db/client.ts OPENWORKFLOW_SCHEMA names openworkflow's default schema`).toContain(
      `export const DEFAULT_SCHEMA = "${OPENWORKFLOW_SCHEMA}";`,
    );
  });
});

describe("against a migrated database", () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  /** Every statement our pools sent (postgres.js `debug`), to read the SQL openworkflow generates. */
  const statements: string[] = [];
  let backend: BackendPostgres;
  let ow: OpenWorkflow;
  let worker: WorkerInternals;

  /** What the probe workflow caught (the "errors" run). */
  const seen = { stepError: undefined as unknown, park: undefined as unknown, stale: undefined as unknown, late: Promise.resolve(), released: undefined as boolean | undefined };
  const parkUntil = new Date(Date.now() + 3_600_000);

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 2, onnotice: () => {}, debug: (_c, query) => void statements.push(query) });
    backend = openWorkflowBackend(db.url, 4, (_c, query) => void statements.push(query));
    ow = new OpenWorkflow({ backend });
    // The real spec (name and retry policy) with a probe body instead of executeRun.
    ow.implementWorkflow(weftRunSpec, async ({ input, step, run }) => {
      const mode = (input.input as { mode: string }).mode;
      if (mode === "throw") throw new Error("outside any step");
      if (mode === "handback") {
        await step.run({ name: "before" }, async () => null);
        seen.released = await releaseRun(worker as unknown as Worker, backend, run.id);
        throw new Error("handed back"); // what lib/runtime/worker.ts does after releaseRun
      }
      if (mode === "exhaust") {
        await step.run({ name: "always", retryPolicy: { maximumAttempts: 1 } }, () => {
          throw new Error("always fails");
        });
      }
      try {
        await step.run({ name: "fails", retryPolicy: STEP_INFRA_RETRY }, () => {
          throw new Error("fails once");
        });
      } catch (error) {
        seen.stepError = error;
      }
      let parked: () => void = () => {};
      seen.late = new Promise<void>((res) => (parked = res))
        // Go on only once the pass has parked for good (its execution left activeExecutions).
        .then(() => untilIdle())
        .then(() => step.run({ name: "late" }, async () => null))
        .then(
          () => undefined,
          (error: unknown) => void (seen.stale = error),
        );
      try {
        await step.waitForSignal({ name: "wait", signal: `weft:contract:${input.runId}`, timeout: parkUntil });
      } catch (error) {
        seen.park = error;
        parked();
        throw error;
      }
      return { status: "succeeded" as const };
    });
    worker = internalsOf(ow.newWorker({ concurrency: 2 }));
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await backend?.stop();
    await db?.drop();
  });

  const runInput = (mode: string): RunInput => ({
    runId: `run_contract_${mode}`,
    organizationId: "org_contract",
    definition: { blocks: [], edges: [] },
    input: { mode },
  });

  /** Enqueues with the runtime's own CTE body, as lib/store/runs.ts insertRun does. */
  async function enqueue(mode: string): Promise<string> {
    const queued = weftRunEnqueue(runInput(mode));
    const rows = await sql`WITH src AS (SELECT 1), queued AS (${queued.insert(sql, "src")}) SELECT id FROM queued`;
    expect(rows.map((r) => r.id)).toEqual([queued.owRunId]);
    return queued.owRunId;
  }

  async function untilIdle(): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (worker.activeExecutions.size > 0) {
      if (Date.now() > deadline) throw new Error("the probe execution did not finish");
      await new Promise((res) => setTimeout(res, 5));
    }
  }

  async function owRun(id: string) {
    const [row] = await sql`SELECT * FROM ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs WHERE id = ${id}`;
    return row;
  }

  it("openworkflow's tables are in the schema db/client.ts names, at migration level 5", async () => {
    const tables = await sql`SELECT table_name FROM information_schema.tables WHERE table_schema = ${OPENWORKFLOW_SCHEMA} ORDER BY table_name`;
    expect(
      tables.map((t) => t.table_name),
      `${MIGRATE_TS} migrates openworkflow into the "${OPENWORKFLOW_SCHEMA}" schema and tunes workflow_runs and step_attempts`,
    ).toEqual(expect.arrayContaining(["openworkflow_migrations", "step_attempts", "workflow_runs", "workflow_signals"]));
    const [{ version }] = await sql`SELECT max(version)::int AS version FROM ${sql(OPENWORKFLOW_SCHEMA)}.openworkflow_migrations`;
    expect(
      version,
      `openworkflow added a migration: re-check the columns ${OPENWORKFLOW_TS} weftRunEnqueue writes and the indexes ${MIGRATE_TS} adds. ${UPGRADE}`,
    ).toBe(5);
  });

  it("retention finds a run's rows as it expects: step attempts by run (cascading from it), signals by step attempt", async () => {
    const constraints = await sql<{ name: string; definition: string }[]>`
      SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE connamespace = ${OPENWORKFLOW_SCHEMA}::regnamespace AND contype = 'f' ORDER BY conname`;
    expect(
      constraints.find((c) => c.name === "step_attempts_workflow_run_fk")?.definition,
      `${RETENTION_TS} deletes step attempts by (namespace_id, workflow_run_id) beside their run`,
    ).toMatch(/FOREIGN KEY \(namespace_id, workflow_run_id\) REFERENCES .*workflow_runs\(namespace_id, id\) ON DELETE CASCADE/);
    expect(
      constraints.filter((c) => c.definition.includes("workflow_signals")),
      `${RETENTION_TS} deletes workflow_signals itself: nothing cascades to them`,
    ).toEqual([]);
    const [index] = await sql<{ definition: string }[]>`
      SELECT indexdef AS definition FROM pg_indexes WHERE schemaname = ${OPENWORKFLOW_SCHEMA} AND indexname = 'workflow_signals_step_attempt_idx'`;
    expect(index?.definition, `${RETENTION_TS} finds a run's signals through their step attempts, on this index`).toMatch(
      /UNIQUE INDEX .* \(namespace_id, step_attempt_id\)/,
    );
  });

  it("the enqueue CTE writes the columns openworkflow's own insert writes, with the values runWorkflow would", async () => {
    statements.length = 0;
    const ours = await enqueue("compare");
    const insert = statements.find((q) => /INSERT INTO\s+"openworkflow"\."workflow_runs"/.test(q));
    expect(insert, "the enqueue statement was not captured").toBeDefined();
    const columnsOf = (text: string) => [...(text.match(/\(([^()]*)\)/)?.[1] ?? "").matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
    const written = columnsOf((insert as string).slice((insert as string).indexOf("workflow_runs")));
    const stock = columnsOf(squash(distFile("postgres/backend.js")).split("async insertWorkflowRun(")[1].split("INSERT INTO ${workflowRunsTable}")[1]);
    expect(stock.length).toBeGreaterThan(10);
    expect(
      written,
      `${OPENWORKFLOW_TS} weftRunEnqueue copies openworkflow's insertWorkflowRun (lib/runtime/queue.ts and ${RUNS_STORE_TS} insertRun enqueue with it); its column list changed`,
    ).toEqual(stock);

    const columns = await sql`
      SELECT column_name, is_nullable, column_default FROM information_schema.columns
      WHERE table_schema = ${OPENWORKFLOW_SCHEMA} AND table_name = 'workflow_runs'`;
    const names = new Set(columns.map((c) => c.column_name as string));
    for (const column of written) expect(names.has(column), `${OPENWORKFLOW_TS} weftRunEnqueue writes workflow_runs.${column}, which no longer exists`).toBe(true);
    for (const c of columns) {
      if (c.is_nullable === "NO" && c.column_default === null) {
        expect(written, `workflow_runs.${c.column_name} is NOT NULL without a default: ${OPENWORKFLOW_TS} weftRunEnqueue must write it`).toContain(c.column_name);
      }
    }

    // The stock path, for comparison: every column but the id, input and timestamps must match.
    const handle = await ow.runWorkflow(weftRunSpec, runInput("compare"));
    const [mine, theirs] = [await owRun(ours), await owRun(handle.workflowRun.id)];
    for (const column of Object.keys(theirs)) {
      if (["id", "input", "available_at", "created_at", "updated_at"].includes(column)) continue;
      expect(mine[column], `${OPENWORKFLOW_TS} weftRunEnqueue writes workflow_runs.${column} differently from ow.runWorkflow(weftRunSpec, input)`).toEqual(theirs[column]);
    }
    expect(mine.input).toEqual(theirs.input);
    await sql`DELETE FROM ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs WHERE id IN (${ours}, ${handle.workflowRun.id})`;
  });

  it("a run enqueued by the CTE is claimed through a fromPool backend, in camelCase, with a 30 s lease and its slot in activeExecutions", async () => {
    const id = await enqueue("errors");
    const workerId = worker.workerIds[0];
    const claimed = await worker.claimAndProcessWorkflowRunInBackground(workerId);
    expect(claimed?.id, `${WORKER_TS}/${OPENWORKFLOW_TS}: the run our CTE enqueued was not claimed`).toBe(id);
    expect(claimed?.workflowName, `${OPENWORKFLOW_TS} openWorkflowBackend's pool must return camelCase rows (the registry looks up workflowName)`).toBe(weftRunSpec.name);
    expect(
      [...worker.activeExecutions].map((e) => e.workerId),
      `${OPENWORKFLOW_TS} driveClaims expects the execution in activeExecutions, under its workerId, before the claim resolves`,
    ).toEqual([workerId]);
    const lease = (claimed?.availableAt as Date).getTime() - (claimed?.startedAt as Date).getTime();
    expect(lease, `${WORKER_TS} and docs/openworkflow.md: a claim leases the run for 30 s (crash recovery time)`).toBe(30_000);
    await untilIdle();
  });

  it("the errors a workflow fn sees are the ones lib/runtime/openworkflow.ts recognises", async () => {
    await seen.late;
    expect((seen.stepError as Error)?.name, `${OPENWORKFLOW_TS} stepErrorInfo: a failed step.run throws StepError`).toBe("StepError");
    expect(
      stepErrorInfo(seen.stepError),
      `${OPENWORKFLOW_TS} stepErrorInfo reads stepFailedAttempts and retryPolicy.maximumAttempts (STEP_INFRA_RETRY allows 4)`,
    ).toEqual({ exhausted: false, message: "fails once" });
    expect((seen.park as Error)?.name, `${OPENWORKFLOW_TS} isParkError: a wait parks the run by throwing SleepSignalError`).toBe("SleepSignalError");
    expect(isParkError(seen.park) && !isStaleBranchError(seen.park) && !isStepLimitError(seen.park)).toBe(true);
    expect(parkResumeAt(seen.park), `${OPENWORKFLOW_TS} parkResumeAt (${EXECUTE_RUN_TS} resumes at the earliest park)`).toBe(parkUntil.getTime());
    expect(
      (seen.stale as Error)?.name,
      `${OPENWORKFLOW_TS} isStaleBranchError: a branch that goes on after its pass parked gets StaleExecutionBranchError (${EXECUTE_RUN_TS} then writes nothing)`,
    ).toBe("StaleExecutionBranchError");
    expect(isParkError(seen.stale) && isStaleBranchError(seen.stale)).toBe(true);
  });

  it("a parked run reads running with no worker; sendSignal answers an empty list when nobody waits on the signal", async () => {
    const id = (await sql`SELECT id FROM ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs WHERE input->>'runId' = 'run_contract_errors'`)[0].id as string;
    const parked = await owRun(id);
    expect([parked.status, parked.worker_id], `${EXECUTE_RUN_TS}: a park leaves the run running without a worker`).toEqual(["running", null]);
    expect(
      (await ow.sendSignal({ signal: "weft:contract:nobody", data: {} })).workflowRunIds,
      `${RUNTIME_TS} wake() re-sends a signal while the answer is empty (the run has not parked on it yet)`,
    ).toEqual([]);
    expect(
      (await ow.sendSignal({ signal: "weft:contract:run_contract_errors", data: {}, idempotencyKey: "evt_contract" })).workflowRunIds,
      `${RUNTIME_TS} wake() stops re-sending once the answer lists the run`,
    ).toEqual([id]);
    await ow.cancelWorkflowRun(id);
    expect((await owRun(id)).status, `${RUNTIME_TS} cancel() cancels the openworkflow run`).toBe("canceled");
  });

  it("a step that exhausts its retries fails the run for good, whatever the workflow's retry policy", async () => {
    const id = await enqueue("exhaust");
    expect((await worker.claimAndProcessWorkflowRunInBackground(worker.workerIds[0]))?.id).toBe(id);
    await untilIdle();
    expect(
      (await owRun(id)).status,
      `${EXECUTE_RUN_TS} writes the run failed itself when STEP_INFRA_RETRY is exhausted, because openworkflow fails it for good`,
    ).toBe("failed");
  });

  it("a pass that throws outside any step is retried (weftRunSpec's unlimited retry policy)", async () => {
    const id = await enqueue("throw");
    expect((await worker.claimAndProcessWorkflowRunInBackground(worker.workerIds[0]))?.id).toBe(id);
    await untilIdle();
    const run = await owRun(id);
    expect(run.status, `${OPENWORKFLOW_TS} weftRunSpec: an error outside a step (a database outage) must reschedule the run, not fail it`).toBe("pending");
    await sql`DELETE FROM ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs WHERE id = ${id}`;
  });

  it("the fair claim returns the row openworkflow's own claim returns, and says when a cap held runs back", async () => {
    const [stockId, fairId] = [await enqueue("claim-stock"), await enqueue("claim-fair")];
    const { backend: fair, admission } = openWorkerBackend(db.url, { max: 1, weftSchema: "public", orgMaxRunning: 1, store: sql });
    try {
      const stock = await backend.claimWorkflowRun({ workerId: "w-stock", leaseDurationMs: 30_000 });
      expect(stock?.id, "openworkflow's claim takes the older run").toBe(stockId);
      // org_contract now has one run leased; lift the cap so that the fair claim may take the next.
      await sql`INSERT INTO organization_admission (organization_id, max_running) VALUES ('org_contract', 0)`;
      const ours = await fair.claimWorkflowRun({ workerId: "w-fair", leaseDurationMs: 30_000 });
      expect(ours?.id, `${OPENWORKFLOW_TS} openWorkerBackend / ${MIGRATE_TS} claim_workflow_run did not claim the queued run`).toBe(fairId);
      const [a, b] = [stock as unknown as Record<string, unknown>, ours as unknown as Record<string, unknown>];
      expect(Object.keys(b).sort(), `${MIGRATE_TS} claim_workflow_run must return every column of workflow_runs, camelCased like openworkflow's claim`).toEqual(Object.keys(a).sort());
      for (const key of Object.keys(a)) {
        if (["id", "input", "workerId", "availableAt", "startedAt", "createdAt", "updatedAt"].includes(key)) continue;
        expect(b[key], `${MIGRATE_TS} claim_workflow_run sets workflow_runs.${key} differently from openworkflow's claimWorkflowRun`).toEqual(a[key]);
      }
      expect([b.status, b.workerId, b.attempts]).toEqual(["running", "w-fair", 1]);
      expect((b.availableAt as Date).getTime() - (b.startedAt as Date).getTime(), `${MIGRATE_TS} claim_workflow_run leases for leaseDurationMs`).toBe(30_000);
      expect(admission.heldBack()).toBe(false);

      // With the default cap of 1 back in force, org_contract (two runs leased) is held back.
      await sql`DELETE FROM organization_admission WHERE organization_id = 'org_contract'`;
      const third = await enqueue("claim-held");
      expect(await fair.claimWorkflowRun({ workerId: "w-fair", leaseDurationMs: 30_000 })).toBeNull();
      expect(admission.heldBack(), `${OPENWORKFLOW_TS} Admission.heldBack: the claim came back empty because of the cap`).toBe(true);
      await sql`DELETE FROM ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs WHERE id IN (${stockId}, ${fairId}, ${third})`;
      expect(await fair.claimWorkflowRun({ workerId: "w-fair", leaseDurationMs: 30_000 })).toBeNull();
      expect(admission.heldBack(), "an empty queue holds nothing back").toBe(false);
    } finally {
      await fair.stop();
    }
  });

  /** Sets org_contract's cap on runs executing at once (0: none). */
  const capContractOrg = (max: number) =>
    sql`INSERT INTO organization_admission (organization_id, max_running) VALUES ('org_contract', ${max}) ON CONFLICT (organization_id) DO UPDATE SET max_running = ${max}`;
  /** Weft's row of a queued run in org_contract, for the run log writes a worker's backend folds. */
  const queuedContractRun = (id: string) =>
    sql`INSERT INTO runs (id, organization_id, workflow_id, workflow_version, definition, trigger, status, input, created_at)
      VALUES (${id}, 'org_contract', 'wf_contract', 1, '{"blocks":[],"edges":[]}', 'manual', 'queued', '{}', now())`;
  /** Stops a test's worker backend and removes its openworkflow runs and org_contract's cap. */
  const dropContractBackend = async (backend: BackendPostgres, ids: string[]) => {
    await backend.stop();
    await sql`DELETE FROM ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs WHERE id IN ${sql(ids)}`;
    await sql`DELETE FROM organization_admission WHERE organization_id = 'org_contract'`;
  };
  /** A worker's backend on one connection whose statements land in `statements`. */
  const recordedWorkerBackend = (orgMaxRunning: number) =>
    openWorkerBackend(db.url, { max: 1, weftSchema: "public", orgMaxRunning, store: sql, debug: (_c, query) => void statements.push(query) });

  it("a batch claim makes the fair claims for several slots in one statement, in order, stops at the cap, and hands each run to its slot's claim without a query", async () => {
    const ids = [await enqueue("batch-1"), await enqueue("batch-2"), await enqueue("batch-3")];
    await capContractOrg(2);
    const { backend: mine, admission } = recordedWorkerBackend(25);
    try {
      statements.length = 0;
      expect(await admission.claimFor?.(["slot-a", "slot-b", "slot-c"]), "two claims, then the cap of 2 holds the third run back").toBe(2);
      expect(statements.filter((q) => q.includes("claim_workflow_runs")), `${OPENWORKFLOW_TS} claimFor: one statement`).toHaveLength(1);
      expect(admission.heldBack()).toBe(true);
      const leased = await sql`SELECT id, worker_id, attempts, available_at - started_at AS lease FROM ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs WHERE id IN ${sql(ids)} AND status = 'running' ORDER BY worker_id`;
      expect(leased.map((r) => [r.id, r.worker_id, r.attempts]), "the two oldest, one per slot, in slot order").toEqual([
        [ids[0], "slot-a", 1],
        [ids[1], "slot-b", 1],
      ]);
      statements.length = 0;
      const handed = await mine.claimWorkflowRun({ workerId: "slot-b", leaseDurationMs: LEASE_MS });
      expect(handed?.id).toBe(ids[1]);
      expect(Object.keys(handed as object)).toContain("workflowName");
      expect(statements, "a run claimed for the slot is handed over without a query").toEqual([]);
    } finally {
      await dropContractBackend(mine, ids);
    }
  });

  it("a batch claim for one organization takes its runs due to resume first, then its queued runs oldest first, one per slot; with a second organization to serve it alternates", async () => {
    const ids = [await enqueue("order-1"), await enqueue("order-2"), await enqueue("order-3")];
    // The newest run comes back from a retry: due again, ahead of the queue.
    await sql`UPDATE ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs SET attempts = 1, available_at = now() - interval '1 second' WHERE id = ${ids[2]}`;
    const other = weftRunEnqueue({ ...runInput("order-other"), organizationId: "org_contract_other" });
    const all = [...ids, other.owRunId];
    await capContractOrg(0);
    const { backend: mine, admission } = recordedWorkerBackend(0);
    try {
      expect(await admission.claimFor?.(["slot-a", "slot-b"])).toBe(2);
      const leased = async () =>
        (await sql`SELECT id, worker_id FROM ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs WHERE id IN ${sql(all)} AND status = 'running' ORDER BY worker_id`).map(
          (r) => [r.id, r.worker_id],
        );
      expect(await leased(), "the resumed run, then the oldest queued one").toEqual([
        [ids[2], "slot-a"],
        [ids[0], "slot-b"],
      ]);
      // Another organization's run arrives: the next batch serves it first (none of its runs executing), then org_contract's last.
      await sql`WITH src AS (SELECT 1), queued AS (${other.insert(sql, "src")}) SELECT id FROM queued`;
      expect(await admission.claimFor?.(["slot-c", "slot-d", "slot-e"]), "two runs were left to claim").toBe(2);
      expect(admission.heldBack()).toBe(false);
      expect((await leased()).slice(2), "the organization with fewer runs executing first").toEqual([
        [other.owRunId, "slot-c"],
        [ids[1], "slot-d"],
      ]);
    } finally {
      await dropContractBackend(mine, all);
      await sql`DELETE FROM organization_admission WHERE organization_id = 'org_contract_other'`;
    }
  });

  it("the worker's backend completes a staged step with its run log write in one statement (the run too, on its last block), returning openworkflow's own rows; a first claim's history costs no query", async () => {
    await queuedContractRun("run_contract_fold");
    const [stockId, foldId] = [await enqueue("fold-stock"), await enqueue("fold")];
    await capContractOrg(0);
    const { backend: mine, stageWrite } = recordedWorkerBackend(0);
    try {
      const claimed = [await mine.claimWorkflowRun({ workerId: "w-fold", leaseDurationMs: 30_000 }), await mine.claimWorkflowRun({ workerId: "w-fold", leaseDurationMs: 30_000 })];
      expect(claimed.map((r) => r?.id).sort()).toEqual([stockId, foldId].sort());
      statements.length = 0;
      expect((await mine.listStepAttempts({ workflowRunId: foldId })).data, "a first claim has no steps").toEqual([]);
      expect(statements.filter((q) => q.includes("step_attempts")), `${OPENWORKFLOW_TS} openWorkerBackend: a first claim's history is not read`).toEqual([]);
      const step = (id: string) => mine.createStepAttempt({ workflowRunId: id, workerId: "w-fold", stepName: "block", kind: "function", config: {}, context: null });
      const [stockStep, foldStep] = [await step(stockId), await step(foldId)];
      const output = { ok: true, output: { n: 1 }, at: Date.now() };
      const stock = (await mine.completeStepAttempt({ workflowRunId: stockId, stepAttemptId: stockStep.id, workerId: "w-fold", output: { ...output } })) as unknown as Record<string, unknown>;
      const started = new Date();
      stageWrite(
        output,
        {
          log: { runId: "run_contract_fold", organizationId: "org_contract", blockId: "block", blockType: "transform", attempt: 1, status: "succeeded", input: {}, output: { n: 1 }, error: null, messages: [], startedAt: started, finishedAt: started },
          settled: { output: { n: 1 } },
        },
        ["next-block"],
      );
      statements.length = 0;
      const folded = (await mine.completeStepAttempt({ workflowRunId: foldId, stepAttemptId: foldStep.id, workerId: "w-fold", output })) as unknown as Record<string, unknown>;
      expect(statements, `${OPENWORKFLOW_TS} foldedStepCompletion: one statement`).toHaveLength(1);
      expect(Object.keys(folded).sort(), "the same columns, camelCased, as openworkflow's completeStepAttempt").toEqual(Object.keys(stock).sort());
      for (const key of ["status", "output", "error", "kind", "stepName", "namespaceId"]) expect(folded[key], key).toEqual(stock[key]);
      // The block starting next: its first step was created by that statement, and step.run's create sends nothing.
      const ahead = (await mine.createStepAttempt({ workflowRunId: foldId, workerId: "w-fold", stepName: "next-block", kind: "function", config: {}, context: null })) as unknown as Record<string, unknown>;
      expect(statements, `${OPENWORKFLOW_TS} a step created ahead is handed over without a query`).toHaveLength(1);
      const made = (await step(foldId)) as unknown as Record<string, unknown>;
      expect(Object.keys(ahead).sort(), "the same columns, camelCased, as openworkflow's createStepAttempt").toEqual(Object.keys(made).sort());
      for (const key of ["status", "output", "error", "kind", "config", "context", "namespaceId", "workflowRunId", "childWorkflowRunId"]) expect(ahead[key], key).toEqual(made[key]);
      expect(ahead.stepName).toBe("next-block");
      for (const key of ["createdAt", "startedAt", "updatedAt"]) expect(ahead[key], key).toBeInstanceOf(Date);
      const [stored] = await sql`SELECT status, context, config FROM ${sql(OPENWORKFLOW_SCHEMA)}.step_attempts WHERE id = ${ahead.id as string}`;
      const [storedMade] = await sql`SELECT status, context, config FROM ${sql(OPENWORKFLOW_SCHEMA)}.step_attempts WHERE id = ${made.id as string}`;
      expect(stored).toEqual(storedMade);
      const [entry] = await sql`SELECT status, output FROM run_logs WHERE run_id = 'run_contract_fold' AND block_id = 'block'`;
      expect(entry).toEqual({ status: "succeeded", output: { n: 1 } });
      const [run] = await sql`SELECT status, output FROM runs WHERE id = 'run_contract_fold'`;
      expect(run).toEqual({ status: "running", output: { block: { n: 1 } } });

      // The last block: its completion also completes the run, and the pass's completeWorkflowRun then sends nothing.
      const last = await step(stockId);
      const lastStock = await step(foldId);
      const finalOutput = { ok: true, output: { n: 3 }, at: Date.now() };
      stageWrite(
        finalOutput,
        {
          log: { runId: "run_contract_fold", organizationId: "org_contract", blockId: "end", blockType: "transform", attempt: 1, status: "succeeded", input: {}, output: { n: 3 }, error: null, messages: [], startedAt: started, finishedAt: started },
          final: { status: "succeeded", output: { block: { n: 1 }, end: { n: 3 } }, error: null },
          settled: { output: { n: 3 } },
        },
        [],
      );
      await mine.completeStepAttempt({ workflowRunId: foldId, stepAttemptId: lastStock.id, workerId: "w-fold", output: finalOutput });
      await mine.completeStepAttempt({ workflowRunId: stockId, stepAttemptId: last.id, workerId: "w-fold", output: { done: true } });
      statements.length = 0;
      const foldedRun = (await mine.completeWorkflowRun({ workflowRunId: foldId, workerId: "w-fold", output: { status: "succeeded" } })) as unknown as Record<string, unknown>;
      expect(statements, `${OPENWORKFLOW_TS} openWorkerBackend: a run completed by its last block's statement is not completed again`).toEqual([]);
      const stockRun = (await mine.completeWorkflowRun({ workflowRunId: stockId, workerId: "w-fold", output: { status: "succeeded" } })) as unknown as Record<string, unknown>;
      expect(Object.keys(foldedRun).sort(), "the same columns, camelCased, as openworkflow's completeWorkflowRun").toEqual(Object.keys(stockRun).sort());
      for (const key of ["status", "output", "error", "workerId", "availableAt", "attempts", "workflowName", "namespaceId"]) expect(foldedRun[key], key).toEqual(stockRun[key]);
      for (const key of ["finishedAt", "updatedAt", "createdAt", "startedAt"]) expect(foldedRun[key], key).toBeInstanceOf(Date);
      const [storedRun] = await sql`SELECT status, output, finished_at FROM ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs WHERE id = ${foldId}`;
      expect(storedRun).toMatchObject({ status: "completed", output: { status: "succeeded" }, finished_at: expect.any(Date) });
      const [finalRun] = await sql`SELECT status, output FROM runs WHERE id = 'run_contract_fold'`;
      expect(finalRun).toEqual({ status: "succeeded", output: { block: { n: 1 }, end: { n: 3 } } });
      await sql`UPDATE ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs SET status = 'running', worker_id = 'w-fold', finished_at = NULL, available_at = now() + interval '30 s' WHERE id = ${foldId}`;

      // Fenced (the run is no longer this worker's): the entry is written, the completion fails as openworkflow's does.
      const second = await step(foldId);
      await sql`UPDATE ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs SET worker_id = 'w-other' WHERE id = ${foldId}`;
      const late = { ok: true, output: { n: 2 }, at: Date.now() };
      stageWrite(
        late,
        {
          log: { runId: "run_contract_fold", organizationId: "org_contract", blockId: "late", blockType: "transform", attempt: 1, status: "succeeded", input: {}, output: { n: 2 }, error: null, messages: [], startedAt: started, finishedAt: started },
          settled: { output: { n: 2 } },
        },
        ["never-created"],
      );
      await expect(mine.completeStepAttempt({ workflowRunId: foldId, stepAttemptId: second.id, workerId: "w-fold", output: late })).rejects.toThrow("Failed to mark step attempt completed");
      expect((await sql`SELECT count(*)::int AS n FROM run_logs WHERE run_id = 'run_contract_fold' AND block_id = 'late'`)[0].n).toBe(1);
      const [attempt] = await sql`SELECT status FROM ${sql(OPENWORKFLOW_SCHEMA)}.step_attempts WHERE id = ${second.id}`;
      expect(attempt.status).toBe("running");
      const [{ n: ahead2 }] = await sql`SELECT count(*)::int AS n FROM ${sql(OPENWORKFLOW_SCHEMA)}.step_attempts WHERE step_name = 'never-created'`;
      expect(ahead2, "a completion that fails its fence creates no step ahead").toBe(0);
    } finally {
      await dropContractBackend(mine, [stockId, foldId]);
    }
  });

  it("pure blocks' steps start in memory and their completions wait: the next completion that is not deferred writes every step and entry in one statement", async () => {
    await queuedContractRun("run_contract_defer");
    const [stockId, id] = [await enqueue("defer-stock"), await enqueue("defer")];
    await capContractOrg(0);
    const { backend: mine, stageWrite, stagePureStep, forgetRun } = recordedWorkerBackend(0);
    const started = new Date();
    const write = (blockId: string, n: number) => ({
      log: { runId: "run_contract_defer", organizationId: "org_contract", blockId, blockType: "transform", attempt: 1, status: "succeeded" as const, input: {}, output: { n }, error: null, messages: [], startedAt: started, finishedAt: started },
      settled: { output: { n } },
    });
    const create = (runId: string, stepName: string) => mine.createStepAttempt({ workflowRunId: runId, workerId: "w-defer", stepName, kind: "function", config: {}, context: null });
    try {
      for (let i = 0; i < 2; i++) await mine.claimWorkflowRun({ workerId: "w-defer", leaseDurationMs: 30_000 });
      expect((await mine.listStepAttempts({ workflowRunId: id })).data, "the pass reads its (empty) history first").toEqual([]);
      const stock = (await create(stockId, "a")) as unknown as Record<string, unknown>;
      statements.length = 0;
      stagePureStep(id, "a");
      const a = (await create(id, "a")) as unknown as Record<string, unknown>;
      expect(statements, `${OPENWORKFLOW_TS} a pure block's first step starts without a statement`).toEqual([]);
      expect(Object.keys(a).sort(), "the same columns, camelCased, as openworkflow's createStepAttempt").toEqual(Object.keys(stock).sort());
      for (const key of ["status", "output", "error", "kind", "config", "context", "namespaceId", "stepName", "childWorkflowRunId"]) expect(a[key], key).toEqual(stock[key]);
      expect(a.workflowRunId).toBe(id);

      const outA = { ok: true, output: { n: 1 }, at: Date.now() };
      stageWrite(outA, write("a", 1), ["b"], true);
      const doneA = (await mine.completeStepAttempt({ workflowRunId: id, stepAttemptId: a.id as string, workerId: "w-defer", output: outA })) as unknown as Record<string, unknown>;
      expect(doneA).toMatchObject({ id: a.id, status: "completed", output: outA, error: null });
      const b = await create(id, "b");
      expect(statements, `${OPENWORKFLOW_TS} a deferred completion, and the next pure block's step, send nothing`).toEqual([]);
      expect((await sql`SELECT count(*)::int AS n FROM ${sql(OPENWORKFLOW_SCHEMA)}.step_attempts WHERE workflow_run_id = ${id}`)[0].n).toBe(0);
      expect((await sql`SELECT count(*)::int AS n FROM run_logs WHERE run_id = 'run_contract_defer'`)[0].n).toBe(0);

      // b is not deferred (what follows it is not pure): one statement writes a and b, and creates c ahead.
      const outB = { ok: true, output: { n: 2 }, at: Date.now() };
      stageWrite(outB, write("b", 2), ["c"], false);
      statements.length = 0;
      const doneB = (await mine.completeStepAttempt({ workflowRunId: id, stepAttemptId: b.id, workerId: "w-defer", output: outB })) as unknown as Record<string, unknown>;
      expect(statements, `${OPENWORKFLOW_TS} foldedStepCompletion carries the deferred steps: one statement`).toHaveLength(1);
      expect(doneB).toMatchObject({ id: b.id, status: "completed", output: outB, stepName: "b" });
      for (const key of ["createdAt", "startedAt", "finishedAt", "updatedAt"]) expect(doneB[key], key).toBeInstanceOf(Date);
      const steps = await sql`SELECT step_name, status, output, xmin::text AS tx FROM ${sql(OPENWORKFLOW_SCHEMA)}.step_attempts WHERE workflow_run_id = ${id} ORDER BY step_name`;
      expect(steps.map((r) => [r.step_name, r.status, r.output])).toEqual([
        ["a", "completed", outA],
        ["b", "completed", outB],
        ["c", "running", null],
      ]);
      const entries = await sql`SELECT block_id, output, xmin::text AS tx FROM run_logs WHERE run_id = 'run_contract_defer' ORDER BY id`;
      expect(entries.map((r) => [r.block_id, r.output])).toEqual([
        ["a", { n: 1 }],
        ["b", { n: 2 }],
      ]);
      expect(new Set([...steps, ...entries].map((r) => r.tx)).size, "one transaction").toBe(1);
      const [run] = await sql`SELECT status, output FROM runs WHERE id = 'run_contract_defer'`;
      expect(run).toEqual({ status: "running", output: { a: { n: 1 }, b: { n: 2 } } });
      // The run's history, read back, is what openworkflow replays from.
      const history = await mine.listStepAttempts({ workflowRunId: id });
      // (Steps made in one millisecond share created_at, openworkflow's order: compared by name.)
      expect(history.data.map((s) => [s.stepName, s.status]).sort()).toEqual([
        ["a", "completed"],
        ["b", "completed"],
        ["c", "running"],
      ]);

      // A step in memory is written before any other statement about the run (a failed attempt here).
      stagePureStep(id, "d");
      const d = await create(id, "d");
      statements.length = 0;
      await mine.failStepAttempt({ workflowRunId: id, stepAttemptId: d.id, workerId: "w-defer", error: { message: "boom" } });
      expect(statements, "the step in memory is inserted, then openworkflow's own failure is sent").toHaveLength(2);
      const [failed] = await sql`SELECT status, error FROM ${sql(OPENWORKFLOW_SCHEMA)}.step_attempts WHERE id = ${d.id}`;
      expect(failed).toMatchObject({ status: "failed", error: { message: "boom" } });

      // Fenced: the run is no longer this worker's. Deferred entries are written (as the folded
      // completion's are), deferred steps are not, and the completion fails as openworkflow's does.
      stagePureStep(id, "e");
      const e = await create(id, "e");
      const outE = { ok: true, output: { n: 5 }, at: Date.now() };
      stageWrite(outE, write("e", 5), ["f"], true);
      await mine.completeStepAttempt({ workflowRunId: id, stepAttemptId: e.id, workerId: "w-defer", output: outE });
      const f = await create(id, "f");
      await sql`UPDATE ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs SET worker_id = 'w-other' WHERE id = ${id}`;
      const outF = { ok: true, output: { n: 6 }, at: Date.now() };
      stageWrite(outF, write("f", 6), [], false);
      await expect(mine.completeStepAttempt({ workflowRunId: id, stepAttemptId: f.id, workerId: "w-defer", output: outF })).rejects.toThrow("Failed to mark step attempt completed");
      expect((await sql`SELECT block_id FROM run_logs WHERE run_id = 'run_contract_defer' AND block_id IN ('e', 'f') ORDER BY block_id`).map((r) => r.block_id)).toEqual(["e", "f"]);
      expect((await sql`SELECT count(*)::int AS n FROM ${sql(OPENWORKFLOW_SCHEMA)}.step_attempts WHERE workflow_run_id = ${id} AND step_name IN ('e', 'f')`)[0].n).toBe(0);
      // A step in memory written on its own (before a failure) is fenced on its worker too: the run is running, but another worker's.
      stagePureStep(id, "g");
      const g = await create(id, "g");
      await expect(mine.failStepAttempt({ workflowRunId: id, stepAttemptId: g.id, workerId: "w-defer", error: { message: "late" } })).rejects.toThrow();
      expect((await sql`SELECT count(*)::int AS n FROM ${sql(OPENWORKFLOW_SCHEMA)}.step_attempts WHERE workflow_run_id = ${id} AND step_name = 'g'`)[0].n).toBe(0);
      // A pass that lost its run (a stale branch) makes the backend forget it: nothing staged for it is used again.
      stagePureStep(stockId, "x");
      forgetRun(stockId);
      statements.length = 0;
      await create(stockId, "x");
      expect(statements.some((q) => q.includes("step_attempts")), `${OPENWORKFLOW_TS} forgetRun drops what was staged for the run`).toBe(true);
    } finally {
      await dropContractBackend(mine, [stockId, id]);
    }
  });

  it("releaseRun finds the execution by its run (workflowRun.id) and parks it available now; the pass's own failure transition then leaves it alone", async () => {
    const id = await enqueue("handback");
    expect((await worker.claimAndProcessWorkflowRunInBackground(worker.workerIds[0]))?.id).toBe(id);
    await untilIdle();
    expect(seen.released, `${OPENWORKFLOW_TS} releaseRun looks executions up in activeExecutions by workflowRun.id`).toBe(true);
    const run = await owRun(id);
    expect(
      { status: run.status, worker: run.worker_id, available: (run.available_at as Date).getTime() <= Date.now(), error: run.error },
      `${WORKER_TS} hands a stopping worker's runs back with sleepWorkflowRun; openworkflow's failure transition must then find the run not ours and write nothing`,
    ).toEqual({ status: "running", worker: null, available: true, error: null });
    await sql`DELETE FROM ${sql(OPENWORKFLOW_SCHEMA)}.workflow_runs WHERE id = ${id}`;
  });

  it("the openworkflow indexes Weft drops are ones openworkflow's migrations create, they stay dropped after another migrate, and the ones it reads stay", async () => {
    // openworkflow creates them in its index migration; a renamed one in a new version would otherwise be kept silently.
    const created = distFile("postgres/postgres.js");
    for (const name of UNUSED_OPENWORKFLOW_INDEXES.filter((n) => n !== "workflow_runs_claim_idx")) {
      expect(created, `${MIGRATE_TS} drops ${name}, which openworkflow's migrations no longer create`).toContain(`CREATE INDEX IF NOT EXISTS "${name}"`);
    }
    const indexes = async () =>
      (await sql<{ indexname: string }[]>`SELECT indexname FROM pg_indexes WHERE schemaname = ${OPENWORKFLOW_SCHEMA}`).map((r) => r.indexname).sort();
    const before = await indexes();
    expect(before.filter((name) => UNUSED_OPENWORKFLOW_INDEXES.includes(name))).toEqual([]);
    // The primary key (every read Weft sends), the fair claim's indexes (db/admission.ts) and the deadline sweep's.
    expect(before).toEqual(
      expect.arrayContaining([
        "workflow_runs_pkey",
        "workflow_runs_deadline_idx",
        "workflow_runs_org_queue_idx",
        "workflow_runs_org_started_idx",
        "workflow_runs_org_leased_idx",
        // listStepAttempts, and sendSignal's lookup of a waiting step.
        "step_attempts_pkey",
        "step_attempts_workflow_run_created_at_idx",
        "step_attempts_signal_wait_idx",
      ]),
    );
    await migrateDatabase(db.url);
    expect(await indexes()).toEqual(before);
  });
});
