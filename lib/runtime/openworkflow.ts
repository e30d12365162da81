/**
 * Everything Weft knows about openworkflow 0.10.1 (docs/openworkflow.md), in one place: the one
 * generic workflow spec, backends on our own pools, the fair claim, the single-flight tick, the
 * eager re-tick, and how to recognise its internal control-flow errors.
 */
import postgres from "postgres";
import { randomUUID } from "node:crypto";
import { defineWorkflowSpec, type Worker } from "openworkflow";
import { BackendPostgres } from "openworkflow/postgres";
import { batchClaimFunctionOf, claimFunctionOf } from "@/db/admission";
import { CONNECTION_OPTIONS, OPENWORKFLOW_SCHEMA, openworkflowSchemaOf } from "@/db/client";
import { attemptWriteParts, type AttemptWrite } from "@/lib/store/run-logs";
import type { RunInput } from "./types";

/** What the workflow fn returns to openworkflow (the real result lives in `runs`). */
export interface RunOutcome {
  status: "succeeded" | "failed";
}

/**
 * The one workflow that executes every definition. Errors thrown outside a step (a database
 * outage mid-pass) are retried without limit, backing off to 5 minutes: the run is replayed and
 * its completed blocks are not executed again. `attempts` counts every claim, wake-ups included,
 * so a finite limit could be used up by a long wait (docs/openworkflow.md, "Retry policies").
 */
export const weftRunSpec = defineWorkflowSpec<RunInput, RunOutcome>({
  name: "weft.run",
  retryPolicy: { maximumAttempts: 0, initialInterval: "1s", backoffCoefficient: 2, maximumInterval: "5m" },
});

/** openworkflow's DEFAULT_NAMESPACE_ID: our backends use the default namespace. */
export const NAMESPACE_ID = "default";

/**
 * Enqueues a `weft.run` run as part of another statement: the INSERT that `ow.runWorkflow(weftRunSpec,
 * input)` sends (openworkflow 0.10.1's `insertWorkflowRun`: pending, no version, no idempotency
 * key, no deadline, available now), as a data-modifying CTE body that inserts once per row of
 * `source`. The run store stores our run row and this one in a single statement
 * (lib/store/runs.ts `insertRun`): one round trip instead of three, and never one row without the
 * other. Trace context is not captured (Weft configures no OpenTelemetry).
 */
export function weftRunEnqueue(input: RunInput, owSchema: string = OPENWORKFLOW_SCHEMA): {
  owRunId: string;
  insert: (q: postgres.Sql, source: string) => postgres.PendingQuery<postgres.Row[]>;
} {
  const owRunId = randomUUID();
  return {
    owRunId,
    insert: (q, source) => q`
      INSERT INTO ${q(`${owSchema}.workflow_runs`)} (
        "namespace_id", "id", "workflow_name", "version", "status", "idempotency_key", "config", "context", "input",
        "attempts", "parent_step_attempt_namespace_id", "parent_step_attempt_id", "available_at", "deadline_at",
        "created_at", "updated_at"
      )
      SELECT ${NAMESPACE_ID}, ${owRunId}, ${weftRunSpec.name}, NULL, 'pending', NULL, ${q.json({})}, NULL,
        ${q.json(input as unknown as postgres.JSONValue)}, 0, NULL, NULL, NOW(), NULL, date_trunc('milliseconds', NOW()), NOW()
      FROM ${q(source)}
      RETURNING "id"`,
  };
}

/**
 * Retries of a block step whose own machinery failed (the run_logs write, a secrets read):
 * not the block's `retry`, which never throws. Exhaustion fails the whole run (docs/openworkflow.md, "Retry policies").
 */
export const STEP_INFRA_RETRY = { maximumAttempts: 4, initialInterval: "500ms", backoffCoefficient: 2, maximumInterval: "5s" } as const;

/**
 * An openworkflow backend on a pool of `max` connections (openworkflow needs camelCase columns: docs/openworkflow.md, "Backends on our own pools"),
 * on its tables in `owSchema`. `debug` (benchmarks) is postgres.js's: called with every statement the pool sends.
 */
export function openWorkflowBackend(
  url: string,
  max: number,
  debug?: (connection: number, query: string) => void,
  owSchema: string = OPENWORKFLOW_SCHEMA,
): BackendPostgres {
  return backendOn(openWorkflowPool(url, max, debug), owSchema);
}

function openWorkflowPool(url: string, max: number, debug?: (connection: number, query: string) => void): postgres.Sql {
  return postgres(url, { ...CONNECTION_OPTIONS, max, transform: { column: { from: postgres.toCamel } }, ...(debug ? { debug } : {}) });
}

function backendOn(pool: postgres.Sql, owSchema: string): BackendPostgres {
  // fromPool is typed for openworkflow's own postgres import; it is the same postgres.js version (3.4.9).
  return BackendPostgres.fromPool(pool as unknown as Parameters<typeof BackendPostgres.fromPool>[0], { schema: owSchema });
}

/** What a worker's fair claim tells its claim loop. */
export interface Admission {
  /** The last claim came back empty while some run waited only for its organization's cap. */
  heldBack(): boolean;
  /**
   * Makes the claims for several free slots in one round trip (`claim_workflow_runs`), in order,
   * until one comes back empty; resolves with how many it made. Each claimed run is leased to its
   * slot's worker id and handed over by that slot's next `claimWorkflowRun`, without a query.
   */
  claimFor?(workerIds: string[]): Promise<number>;
}

/** openworkflow 0.10.1's lease (DEFAULT_LEASE_DURATION_MS in its worker.js, checked by the contract test): batch claims lease for as long. */
export const LEASE_MS = 30_000;

type StepAttemptRow = Awaited<ReturnType<BackendPostgres["completeStepAttempt"]>>;
type WorkflowRunRow = Awaited<ReturnType<BackendPostgres["completeWorkflowRun"]>>;
type ClaimedRun = Awaited<ReturnType<BackendPostgres["claimWorkflowRun"]>>;

/** A worker's backend and the hooks its runs use to fold their writes into its statements. */
export interface WorkerBackend {
  backend: BackendPostgres;
  admission: Admission;
  /** Hands an attempt's write to the completion of the step returning `output` (block-attempt.ts, AttemptDeps.stageWrite). */
  stageWrite: (output: object, write: AttemptWrite, nextSteps: string[], defer?: boolean) => void;
  /** The next `step.run({ name: stepName })` of run `runId` is a pure block's attempt 1: its step may start in memory. */
  stagePureStep: (runId: string, stepName: string) => void;
  /** Adds entries to run `runId`'s deferred completions, if it has any (false: it has none, nothing was taken). */
  deferWrites: (runId: string, writes: AttemptWrite[]) => boolean;
  /** Writes whatever of run `runId` is still in memory (deferred completions). */
  flushRun: (runId: string) => Promise<void>;
  /** Drops what the backend keeps for run `runId`: its pass lost the run (a stale branch), and openworkflow sends nothing more for it. */
  forgetRun: (runId: string) => void;
}

/**
 * A worker's backend (as `openWorkflowBackend`) with Weft's changes to three of its statements
 * (docs/openworkflow.md, "The worker's backend"); each replaces a method on this instance only:
 * - `claimWorkflowRun` is Weft's fair claim: the claim function db/admission.ts installs for
 *   Weft's tables in `weftSchema`, with `orgMaxRunning` (WEFT_ORG_MAX_RUNNING, 0 = no cap) for
 *   organizations without an override (docs/openworkflow.md, "The fair claim").
 * - `listStepAttempts` answers "none" without asking the database for a run claimed for the first
 *   time (`attempts` 1): steps are only ever created by a pass holding a claim, and this is the
 *   run's first claim, so there are none.
 * - `completeStepAttempt` of a step whose output was handed to `stageWrite` also sends that
 *   attempt's run log write (lib/store/run-logs.ts) in the same statement, on `store` (Weft's
 *   run store pool, whose search_path finds Weft's tables): `foldedStepCompletion`. When the
 *   write is the run's final state, the same statement completes the openworkflow run too, and
 *   `completeWorkflowRun` (which the pass calls right after, when the workflow fn returns) answers
 *   with that row instead of sending its own update (`extendWorkflowRunLease`, a heartbeat in
 *   between, too).
 */
export function openWorkerBackend(
  url: string,
  options: { max: number; weftSchema: string; orgMaxRunning: number; store: postgres.Sql; debug?: (connection: number, query: string) => void },
): WorkerBackend {
  const pool = openWorkflowPool(url, options.max, options.debug);
  const owSchema = openworkflowSchemaOf(options.weftSchema);
  const backend = backendOn(pool, owSchema);
  const claim = claimFunctionOf(options.weftSchema);
  const claimMany = batchClaimFunctionOf(options.weftSchema);
  let heldBack = false;
  const firstClaims = new Set<string>();
  /** Runs a batch claim leased to a slot, until that slot's claimWorkflowRun takes them. */
  const claimedFor = new Map<string, ClaimedRun>();
  type ClaimRow = { heldBack: boolean; id: string | null; attempts: number | null };
  /** A claim row (held_back and the run's columns, all null when nothing was claimed) as the run openworkflow's own claim returns. */
  const runOf = (row: ClaimRow): ClaimedRun | null => {
    const { heldBack: _held, ...run } = row;
    if (run.id === null) return null;
    if (run.attempts === 1) firstClaims.add(run.id);
    // The pool's camelCase transform gives the row openworkflow's own claim returns.
    return run as unknown as ClaimedRun;
  };
  backend.claimWorkflowRun = async ({ workerId, leaseDurationMs }) => {
    const taken = claimedFor.get(workerId);
    if (taken) {
      claimedFor.delete(workerId);
      return taken;
    }
    const [row] = await pool.unsafe<ClaimRow[]>(`SELECT c.held_back, (c.run).* FROM ${claim}($1, $2, $3, $4) AS c`, [
      NAMESPACE_ID,
      workerId,
      leaseDurationMs,
      options.orgMaxRunning,
    ]);
    heldBack = row.heldBack;
    return runOf(row);
  };
  const claimFor = async (workerIds: string[]): Promise<number> => {
    const rows = await pool.unsafe<ClaimRow[]>(`SELECT c.held_back, (c.run).* FROM ${claimMany}($1, $2::text[], $3, $4) AS c`, [
      NAMESPACE_ID,
      workerIds,
      LEASE_MS,
      options.orgMaxRunning,
    ]);
    let claimed = 0;
    for (const [i, row] of rows.entries()) {
      heldBack = row.heldBack;
      const run = runOf(row);
      if (!run) break;
      claimedFor.set(workerIds[i], run);
      claimed += 1;
    }
    return claimed;
  };
  const listStepAttempts = backend.listStepAttempts.bind(backend);
  backend.listStepAttempts = async (params) => {
    // The first page of a first claim's history (the pass loads it right after the claim).
    if (!params.after && !params.before && firstClaims.delete(params.workflowRunId)) return { data: [], pagination: { next: null, prev: null } };
    return listStepAttempts(params);
  };
  const staged = new WeakMap<object, StagedWrite>();
  /** Runs whose last block's completion also completed the run (`foldedStepCompletion`), until openworkflow asks to complete them. */
  const completed = new Map<string, WorkflowRunRow>();
  /** Step attempts created ahead for the blocks starting next, by run and step name, until their step.run asks for them. */
  const created = new Map<string, Map<string, StepAttemptRow>>();
  /** Pure blocks' first steps (`stagePureStep`) that may be created in memory, by run. */
  const pureSteps = new Map<string, Set<string>>();
  /** What deferred completions left unwritten, by run (see `Deferred`). */
  const deferred = new Map<string, Deferred>();
  /** The statement writing a run's deferred steps, while in flight: the run's next statements wait for it. */
  const flushing = new Map<string, Promise<void>>();

  /** Keeps steps created ahead for the blocks starting next, for their step.run's create. */
  const keepAhead = (runId: string, steps: StepAttemptRow[]): void => {
    if (steps.length === 0) return;
    const ahead = created.get(runId) ?? new Map<string, StepAttemptRow>();
    for (const step of steps) ahead.set(step.stepName, step);
    created.set(runId, ahead);
  };

  /** Waits until no statement writing `runId`'s deferred steps is in flight. */
  const settled = async (runId: string): Promise<void> => {
    for (let inFlight = flushing.get(runId); inFlight; inFlight = flushing.get(runId)) await inFlight;
  };
  /** Runs `send` as the statement that carries `runId`'s deferred steps: the run's other statements wait for it (its failure is its caller's). */
  const carrying = <T>(runId: string, send: () => Promise<T>): Promise<T> => {
    const statement = send();
    const tracked: Promise<void> = statement.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      if (flushing.get(runId) === tracked) flushing.delete(runId);
    });
    flushing.set(runId, tracked);
    return statement;
  };
  /** Takes what is deferred for `runId` (nothing is left behind for another statement to send twice). */
  const take = (runId: string): Deferred | null => {
    const entry = deferred.get(runId);
    deferred.delete(runId);
    return entry && (entry.rows.size > 0 || entry.writes.length > 0) ? entry : null;
  };
  /** Writes `runId`'s deferred steps and entries on their own, before a statement that needs them in the database. */
  const flush = async (runId: string): Promise<void> => {
    await settled(runId);
    const entry = take(runId);
    if (entry) await carrying(runId, () => writeDeferred(options.store, owSchema, runId, entry));
  };

  const completeStepAttempt = backend.completeStepAttempt.bind(backend);
  backend.completeStepAttempt = async (params) => {
    const runId = params.workflowRunId;
    const entry = typeof params.output === "object" && params.output !== null ? staged.get(params.output) : undefined;
    if (!entry) {
      await flush(runId);
      return completeStepAttempt(params);
    }
    staged.delete(params.output as object);
    await settled(runId);
    const pending = deferred.get(runId);
    const own = pending?.rows.get(params.stepAttemptId);
    const now = new Date();
    if (own && pending && entry.defer && !entry.write.final) {
      // Deferred: written with the next completion of this run that is not (docs/openworkflow.md,
      // "Deferred completions"). The blocks starting next are pure too: their steps start in memory.
      const done = completedStep(own, params.output, now);
      pending.rows.set(done.id, done);
      pending.writes.push(entry.write);
      const next = entry.nextSteps.map((stepName) => inMemoryStep(runId, stepName, now));
      for (const row of next) pending.rows.set(row.id, row);
      keepAhead(runId, next);
      return done;
    }
    const carried = take(runId);
    const rows = carried ? [...carried.rows.values()] : [];
    const current = rows.findIndex((row) => row.id === params.stepAttemptId);
    if (current >= 0) rows[current] = completedStep(rows[current], params.output, now);
    const writes = [...(carried?.writes ?? []), entry.write];
    const send = () => foldedStepCompletion(options.store, owSchema, params, { writes, nextSteps: entry.nextSteps, rows, inMemory: current >= 0 });
    const { attempt, run, next } = carried ? await carrying(runId, send) : await send();
    if (run) completed.set(runId, run);
    keepAhead(runId, next);
    return attempt;
  };
  const createStepAttempt = backend.createStepAttempt.bind(backend);
  backend.createStepAttempt = async (params) => {
    const runId = params.workflowRunId;
    // Only a block's attempt 1 (`step.run({ name: blockId })`): a function step, empty config, no context.
    const attemptOne = params.kind === "function" && params.context === null && isEmptyConfig(params.config);
    const ahead = created.get(runId);
    const step = attemptOne ? ahead?.get(params.stepName) : undefined;
    if (step && ahead) {
      ahead.delete(params.stepName);
      if (ahead.size === 0) created.delete(runId);
      return step;
    }
    const pure = pureSteps.get(runId);
    if (attemptOne && pure?.delete(params.stepName)) {
      // A pure block's first step starts in memory: written with its completion.
      const row = inMemoryStep(runId, params.stepName, new Date());
      const pending = deferred.get(runId) ?? { workerId: params.workerId, rows: new Map(), writes: [] };
      pending.rows.set(row.id, row);
      deferred.set(runId, pending);
      return row;
    }
    await flush(runId);
    return createStepAttempt(params);
  };
  // Every other statement about a run's steps or state finds its deferred steps written first.
  for (const method of ["failStepAttempt", "setStepAttemptChildWorkflowRun", "listStepAttempts"] as const) {
    const original = backend[method].bind(backend) as (params: { workflowRunId: string }) => Promise<unknown>;
    (backend as unknown as Record<string, unknown>)[method] = async (params: { workflowRunId: string }) => {
      await flush(params.workflowRunId);
      return original(params);
    };
  }
  const completeWorkflowRun = backend.completeWorkflowRun.bind(backend);
  backend.completeWorkflowRun = async (params) => {
    const run = completed.get(params.workflowRunId);
    if (!run) return completeWorkflowRun(params);
    completed.delete(params.workflowRunId);
    // What openworkflow's own completion does after its update (a child run wakes its parent).
    await (backend as unknown as { wakeParentWorkflowRun(run: WorkflowRunRow): Promise<void> }).wakeParentWorkflowRun(run);
    return run;
  };
  /** Drops everything kept for a run whose pass is over. */
  const forget = (runId: string): void => {
    completed.delete(runId);
    created.delete(runId);
    pureSteps.delete(runId);
    deferred.delete(runId);
  };
  // The pass ends: its deferred steps are written first (nothing is deferred once the last block
  // folded the run's final state), and nothing kept for it outlives the pass. Steps created ahead
  // that the pass did not start (it stopped first) stay `running`, as a step in flight at a crash
  // does: a replay creates its own.
  for (const method of ["completeWorkflowRun", "failWorkflowRun", "sleepWorkflowRun", "rescheduleWorkflowRunAfterFailedStepAttempt"] as const) {
    const original = backend[method].bind(backend) as (params: { workflowRunId: string }) => Promise<WorkflowRunRow>;
    (backend as unknown as Record<string, unknown>)[method] = async (params: { workflowRunId: string }) => {
      await flush(params.workflowRunId);
      try {
        return await original(params);
      } finally {
        forget(params.workflowRunId);
      }
    };
  }
  const extendWorkflowRunLease = backend.extendWorkflowRunLease.bind(backend);
  // A heartbeat between the folded completion and the pass's end has nothing left to extend.
  backend.extendWorkflowRunLease = async (params) => completed.get(params.workflowRunId) ?? extendWorkflowRunLease(params);
  return {
    backend,
    admission: { heldBack: () => heldBack, claimFor },
    stageWrite: (output, write, nextSteps, defer = false) => void staged.set(output, { write, nextSteps, defer }),
    stagePureStep: (runId, stepName) => {
      const steps = pureSteps.get(runId) ?? new Set<string>();
      steps.add(stepName);
      pureSteps.set(runId, steps);
    },
    deferWrites: (runId, writes) => {
      const pending = deferred.get(runId);
      if (!pending || pending.writes.length === 0) return false;
      pending.writes.push(...writes);
      return true;
    },
    flushRun: flush,
    forgetRun: forget,
  };
}

/** An attempt's write as `stageWrite` hands it over. */
interface StagedWrite {
  write: AttemptWrite;
  /** Blocks starting next whose first steps the completion creates. */
  nextSteps: string[];
  /** The block is pure and so are all those starting next: its completion may be deferred. */
  defer: boolean;
}

/**
 * A run's steps that exist only in the worker's memory so far (docs/openworkflow.md, "Deferred
 * completions"): the first step of a pure block, started without a statement, completed or not,
 * and the entries of the completed ones. The run's next statement about its steps writes them.
 */
interface Deferred {
  /** The worker (slot) whose lease the steps are written under. */
  workerId: string;
  rows: Map<string, StepAttemptRow>;
  writes: AttemptWrite[];
}

/** `row` completed with `output` at `at`, as openworkflow's completeStepAttempt leaves it. */
function completedStep(row: StepAttemptRow, output: unknown, at: Date): StepAttemptRow {
  return { ...row, status: "completed", output: output as StepAttemptRow["output"], error: null, finishedAt: at, updatedAt: at };
}

/** A function step as openworkflow's createStepAttempt would insert it (empty config, no context), not yet written. */
function inMemoryStep(workflowRunId: string, stepName: string, at: Date): StepAttemptRow {
  const row = {
    namespaceId: NAMESPACE_ID,
    id: randomUUID(),
    workflowRunId,
    stepName,
    kind: "function",
    status: "running",
    config: {},
    context: null,
    output: null,
    error: null,
    childWorkflowRunNamespaceId: null,
    childWorkflowRunId: null,
    startedAt: at,
    finishedAt: null,
    createdAt: at,
    updatedAt: at,
  };
  return row as unknown as StepAttemptRow;
}

/**
 * The data-modifying CTE that writes in-memory steps (`Deferred.rows`), as completed or running,
 * under the fence openworkflow's createStepAttempt takes (`owned_workflow_run`, defined before it).
 */
function inMemoryStepsInsert(sql: postgres.Sql, owSchema: string, workflowRunId: string, rows: StepAttemptRow[]): postgres.PendingQuery<postgres.Row[]> {
  const records = rows.map((row) => ({
    id: row.id,
    step_name: row.stepName,
    status: row.status,
    output: row.output ?? null,
    started_at: row.startedAt,
    finished_at: row.finishedAt,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  }));
  return sql`
    INSERT INTO ${sql(owSchema)}."step_attempts" (
      "namespace_id", "id", "workflow_run_id", "step_name", "kind", "status", "config", "context", "output", "error",
      "started_at", "finished_at", "created_at", "updated_at"
    )
    SELECT ${NAMESPACE_ID}, r.id, ${workflowRunId}, r.step_name, 'function', r.status, ${sql.json({})}, ${sql.json(null)}, r.output, NULL,
      r.started_at, r.finished_at, r.created_at, r.updated_at
    FROM jsonb_to_recordset(${sql.json(records as unknown as postgres.JSONValue)}) AS r(
      id text, step_name text, status text, output jsonb, started_at timestamptz, finished_at timestamptz, created_at timestamptz, updated_at timestamptz
    )
    WHERE EXISTS (SELECT 1 FROM owned_workflow_run)
    RETURNING step_attempts.*`;
}

/** The fence of openworkflow's step statements: the run, running and leased to `workerId`, locked. */
function ownedWorkflowRun(sql: postgres.Sql, owSchema: string, workflowRunId: string, workerId: string): postgres.PendingQuery<postgres.Row[]> {
  return sql`
    SELECT 1 FROM ${sql(owSchema)}."workflow_runs"
    WHERE "namespace_id" = ${NAMESPACE_ID} AND "id" = ${workflowRunId} AND "status" = 'running' AND "worker_id" = ${workerId}
    FOR NO KEY UPDATE`;
}

/**
 * Writes a run's deferred steps and entries on their own. Fenced like the statements they stand
 * for: steps only while the worker that made them still holds the run, entries whatever happened
 * to the run, as the folded completion does.
 */
async function writeDeferred(sql: postgres.Sql, owSchema: string, workflowRunId: string, entry: Deferred): Promise<void> {
  const rows = [...entry.rows.values()];
  const steps =
    rows.length > 0
      ? sql`owned_workflow_run AS (${ownedWorkflowRun(sql, owSchema, workflowRunId, entry.workerId)}),
          inserted AS (${inMemoryStepsInsert(sql, owSchema, workflowRunId, rows)})`
      : null;
  if (entry.writes.length === 0) {
    if (steps) await sql`WITH ${steps} SELECT count(*) FROM inserted`;
    return;
  }
  const { ctes, notify } = attemptWriteParts(sql, entry.writes);
  await sql`WITH ${ctes}${steps ? sql`, ${steps}` : sql``} SELECT ${notify} FROM (SELECT count(*) FROM entry) logged`;
}

/**
 * openworkflow 0.10.1's `completeStepAttempt` (the same fence and update, on its tables in
 * `owSchema`; tests/runtime/openworkflow-contract.test.ts checks its text is still what this
 * copies), with the attempts' run log writes in the same statement: the entries, the run's status
 * or output change and its NOTIFY commit together with the step's result, in one round trip. The
 * writes do not depend on the fence: as when they were sent before the completion, an attempt
 * whose run was taken away meanwhile (canceled, its lease lost) still records its entry, and the
 * completion then fails as openworkflow's own does ("Failed to mark step attempt completed").
 * `rows` are the run's in-memory steps (`Deferred`), inserted under the same fence; with
 * `inMemory` the completed step is one of them, inserted completed instead of updated.
 */
async function foldedStepCompletion(
  sql: postgres.Sql,
  owSchema: string,
  params: Parameters<BackendPostgres["completeStepAttempt"]>[0],
  fold: { writes: AttemptWrite[]; nextSteps: string[]; rows: StepAttemptRow[]; inMemory: boolean },
): Promise<{ attempt: StepAttemptRow; run: WorkflowRunRow | null; next: StepAttemptRow[] }> {
  const { writes, nextSteps, rows, inMemory } = fold;
  const final = writes.at(-1)?.final ?? null;
  const { ctes, notify } = attemptWriteParts(sql, writes);
  const inserted = rows.length > 0 ? sql`, inserted AS (${inMemoryStepsInsert(sql, owSchema, params.workflowRunId, rows)})` : sql``;
  // The first steps of the blocks starting next: openworkflow's createStepAttempt (a function
  // step, empty config, no context), under the same lock of the run, once the step is completed.
  const ahead =
    nextSteps.length > 0
      ? sql`, ahead AS (
      INSERT INTO ${sql(owSchema)}."step_attempts" (
        "namespace_id", "id", "workflow_run_id", "step_name", "kind", "status", "config", "context", "started_at", "created_at", "updated_at"
      )
      SELECT ${NAMESPACE_ID}, gen_random_uuid(), ${params.workflowRunId}, name, 'function', 'running', ${sql.json({})}, ${sql.json(null)},
        NOW(), date_trunc('milliseconds', NOW()), NOW()
      FROM unnest(${nextSteps}::text[]) AS name
      WHERE EXISTS (SELECT 1 FROM done)
      RETURNING to_jsonb(step_attempts.*) AS row
    )`
      : sql``;
  // The run's final state: openworkflow's completeWorkflowRun, with the output the workflow fn
  // returns then (executeRun's RunOutcome), once the step is completed.
  const runDone = final
    ? sql`, run_done AS (
      UPDATE ${sql(owSchema)}."workflow_runs"
      SET "status" = 'completed', "output" = ${sql.json({ status: final.status })}, "error" = NULL, "worker_id" = ${params.workerId},
        "available_at" = NULL, "finished_at" = NOW(), "updated_at" = NOW()
      WHERE "namespace_id" = ${NAMESPACE_ID} AND "id" = ${params.workflowRunId} AND "status" = 'running' AND "worker_id" = ${params.workerId}
        AND EXISTS (SELECT 1 FROM done)
      RETURNING to_jsonb(workflow_runs.*) AS row
    )`
    : sql``;
  // An in-memory step is inserted completed; one in the database is updated as openworkflow does.
  const done = inMemory
    ? sql`done AS (SELECT * FROM inserted WHERE "id" = ${params.stepAttemptId})`
    : sql`done AS (
      UPDATE ${sql(owSchema)}."step_attempts" sa
      SET
        "status" = 'completed',
        "output" = CASE WHEN sa."status" = 'running' THEN ${sql.json(params.output as postgres.JSONValue)} ELSE sa."output" END,
        "error" = NULL,
        "finished_at" = COALESCE(sa."finished_at", NOW()),
        "updated_at" = CASE WHEN sa."status" = 'running' THEN NOW() ELSE sa."updated_at" END
      FROM owned_workflow_run
      WHERE sa."status" IN ('running', 'completed')
        AND sa."namespace_id" = ${NAMESPACE_ID} AND sa."workflow_run_id" = ${params.workflowRunId} AND sa."id" = ${params.stepAttemptId}
      RETURNING sa.*
    )`;
  const [row] = await sql<Record<string, unknown>[]>`
    WITH ${ctes}, owned_workflow_run AS (${ownedWorkflowRun(sql, owSchema, params.workflowRunId, params.workerId)})${inserted}, ${done}${runDone}${ahead}
    -- The entries first (they take the run log's lock, then the run's row), then the step: done is
    -- read after logged, so the locks are taken in the order markRunCanceled takes them.
    SELECT done.*, logged.weft_notified,
      ${final ? sql`(SELECT row FROM run_done)` : sql`NULL::jsonb`} AS weft_run,
      ${nextSteps.length > 0 ? sql`(SELECT jsonb_agg(row) FROM ahead)` : sql`NULL::jsonb`} AS weft_ahead
    FROM (SELECT ${notify} AS weft_notified FROM (SELECT count(*) FROM entry) entries) logged LEFT JOIN done ON true`;
  if (!row || row.id === null) throw new Error("Failed to mark step attempt completed");
  const attempt: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) if (!column.startsWith("weft_")) attempt[postgres.toCamel(column)] = value;
  return {
    attempt: attempt as unknown as StepAttemptRow,
    run: row.weft_run ? (rowOf(row.weft_run as Record<string, unknown>) as unknown as WorkflowRunRow) : null,
    next: ((row.weft_ahead as Record<string, unknown>[] | null) ?? []).map((step) => rowOf(step) as unknown as StepAttemptRow),
  };
}

/** A row read back as JSON (to_jsonb), as openworkflow's pool returns it: camelCase keys, timestamps as Dates. */
function rowOf(json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(json)) {
    out[postgres.toCamel(column)] = column.endsWith("_at") && typeof value === "string" ? new Date(value) : value;
  }
  return out;
}

function isEmptyConfig(config: unknown): boolean {
  return typeof config === "object" && config !== null && Object.keys(config).length === 0;
}

/** Openworkflow's internal "park this run" and "this branch is stale" errors: never swallow them (docs/openworkflow.md, "Control-flow errors"). */
export function isParkError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "SleepSignalError" || name === "StaleExecutionBranchError";
}

export function isStaleBranchError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "StaleExecutionBranchError";
}

/** When the run parks, and on which attempt: present on SleepSignalError. */
export function parkResumeAt(error: unknown): number {
  const resumeAt = (error as { resumeAt?: unknown } | null)?.resumeAt;
  return resumeAt instanceof Date ? resumeAt.getTime() : Number.POSITIVE_INFINITY;
}

/** A failed step, as openworkflow reports it to the workflow fn: exhausted when no retry is left. */
export function stepErrorInfo(error: unknown): { exhausted: boolean; message: string } | null {
  const e = error as { name?: unknown; stepFailedAttempts?: unknown; retryPolicy?: { maximumAttempts?: unknown }; message?: unknown } | null;
  if (e?.name !== "StepError") return null;
  const failed = typeof e.stepFailedAttempts === "number" ? e.stepFailedAttempts : 0;
  const max = typeof e.retryPolicy?.maximumAttempts === "number" ? e.retryPolicy.maximumAttempts : 1;
  return { exhausted: max > 0 && failed >= max, message: typeof e.message === "string" ? e.message : "step failed" };
}

export function isStepLimitError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "StepLimitExceededError";
}

interface WorkerInternals {
  tick: () => Promise<number>;
  activeExecutions: Set<{ workerId: string; workflowRun?: { id?: unknown } }>;
  workerIds: string[];
  claimAndProcessWorkflowRunInBackground: (workerId: string) => Promise<unknown>;
}

/** The private parts of openworkflow 0.10.1's Worker that the functions below use; throws if they changed. */
function internalsOf(worker: Worker): WorkerInternals {
  const internals = worker as unknown as WorkerInternals;
  if (
    !(internals.activeExecutions instanceof Set) ||
    !Array.isArray(internals.workerIds) ||
    typeof internals.claimAndProcessWorkflowRunInBackground !== "function"
  ) {
    throw new Error("openworkflow internals changed: Worker.activeExecutions, workerIds or claimAndProcessWorkflowRunInBackground is missing");
  }
  return internals;
}

/**
 * Hands a run this worker is executing back to the queue, available to any worker at once: the
 * park openworkflow itself does for a durable timer (`sleepWorkflowRun`, fenced on the slot's
 * worker id, found in the private `activeExecutions`), with a resume time of now. The workflow fn
 * must then throw, so openworkflow's own transition finds the run no longer ours and writes
 * nothing (or, if this returned false or threw, reschedules it with backoff). Used when a worker
 * stops: docs/openworkflow.md, "Handing a run back".
 */
export async function releaseRun(worker: Worker, backend: BackendPostgres, owRunId: string): Promise<boolean> {
  const execution = [...internalsOf(worker).activeExecutions].find((e) => e.workflowRun?.id === owRunId);
  if (!execution) return false;
  await backend.sleepWorkflowRun({ workflowRunId: owRunId, workerId: execution.workerId, availableAt: new Date() });
  return true;
}

/** What the worker's LISTEN connection tells its claimer. */
export interface Claimer {
  /** A run was queued or woken (a NOTIFY on `weft_runs`): claim it now. */
  announced(): void;
  /** Runs may be waiting that nobody announced (the LISTEN connection was re-established). */
  lookAgain(): void;
}

/**
 * Weft's claim policy for an openworkflow 0.10.1 Worker, replacing its `tick` (private internals:
 * the version is pinned). Stock, each tick sends one claim per free slot at once, and the worker
 * ticks again only after a 50–1000 ms idle backoff. Here:
 * - **Single-flight** passes (at most one running and one queued), so triggers that overlap never
 *   break the concurrency limit (docs/openworkflow.md, "The claim loop").
 * - A pass claims **one run at a time**, until a claim comes back empty, every slot is busy, or it
 *   has nothing more to look for. The claim is the costliest statement openworkflow sends. With
 *   the fair claim's batches (`admission.claimFor`), one round trip makes those same claims for
 *   several free slots (one per announced run, or every free slot when runs may be waiting
 *   unannounced), in order, until one comes back empty: one worker's claims are serial, so
 *   their round trips, not the database, capped its throughput.
 * - **Announced runs**: every NOTIFY counts one. A pass started by a NOTIFY claims only while
 *   announced runs are unclaimed, so starting a run costs one claim, not a useful one and an
 *   empty one.
 * - **Unannounced runs** (a backlog found at start-up or by the poll loop, a run whose durable
 *   timer came due, an expired lease): a claim that succeeds when nothing was announced means
 *   more may be waiting, so passes keep claiming until one comes back empty. The stock poll loop
 *   still runs, and every pass it starts makes at least one claim: it is what finds timers.
 * - **A freed slot** starts a pass at once when runs are announced or may be waiting, instead of
 *   waiting for the poll loop's backoff (docs/openworkflow.md, "The claim loop").
 * - **Held back** (`admission`, the fair claim's report): an empty claim normally means nothing is
 *   waiting, but one that left runs waiting for their organization's cap keeps "may be waiting",
 *   so the next freed slot (often the capped organization's own) claims again.
 */
export function driveClaims(
  worker: Worker,
  options: { stopped: () => boolean; onError: (error: unknown) => void; admission?: Admission },
): Claimer {
  const internals = internalsOf(worker);
  const { stopped, onError, admission } = options;
  let announced = 0;
  let mayBeWaiting = true; // a backlog from before this worker started

  const freeWorkerId = (): string | undefined => {
    if (internals.activeExecutions.size >= internals.workerIds.length) return undefined;
    const busy = new Set(Array.from(internals.activeExecutions, (execution) => execution.workerId));
    return internals.workerIds.find((id) => !busy.has(id));
  };

  const freeWorkerIds = (): string[] => {
    const busy = new Set(Array.from(internals.activeExecutions, (execution) => execution.workerId));
    return internals.workerIds.filter((id) => !busy.has(id));
  };

  /** A pass with the fair claim's batches: each round trip claims for as many free slots as there are runs to look for. */
  const batchPass = async (polled: boolean, claimFor: (workerIds: string[]) => Promise<number>): Promise<number> => {
    let claimed = 0;
    for (;;) {
      const free = stopped() ? [] : freeWorkerIds();
      if (free.length === 0) return claimed;
      if (announced <= 0 && !mayBeWaiting && !(polled && claimed === 0)) return claimed;
      // Announced runs alone: one slot each. Runs that may be waiting unannounced (or a poll): every free slot.
      const ids = mayBeWaiting || announced <= 0 ? free : free.slice(0, announced);
      const announcedBefore = announced;
      const got = await claimFor(ids);
      // Each claimed run goes to its slot (the backend hands it over without a query), in activeExecutions at once.
      for (const id of ids.slice(0, got)) await internals.claimAndProcessWorkflowRunInBackground(id);
      claimed += got;
      // Announcements that came in during the claim may be for runs it did not see yet.
      const arrived = announced - announcedBefore;
      if (got > announcedBefore) mayBeWaiting = true; // runs were claimed that nobody announced: more may wait
      if (got < ids.length) {
        // The queue was empty; runs held back by their organization's cap are still waiting.
        announced = Math.max(0, arrived);
        mayBeWaiting = admission?.heldBack() ?? false;
        return claimed;
      }
      announced = Math.max(0, announcedBefore - got) + arrived;
    }
  };

  const pass = async (polled: boolean): Promise<number> => {
    if (admission?.claimFor) return batchPass(polled, admission.claimFor);
    let claimed = 0;
    for (;;) {
      const workerId = stopped() ? undefined : freeWorkerId();
      if (workerId === undefined) return claimed;
      if (announced <= 0 && !mayBeWaiting && !(polled && claimed === 0)) return claimed;
      const announcedBefore = announced;
      // Adds the execution to activeExecutions before it resolves, so the next loop sees the slot taken.
      const run = await internals.claimAndProcessWorkflowRunInBackground(workerId);
      if (!run) {
        // The queue was empty; announcements that came in meanwhile may be for runs it did not see yet.
        announced = Math.max(0, announced - announcedBefore);
        // Runs held back by their organization's cap are still waiting: claim again when a slot frees.
        mayBeWaiting = admission?.heldBack() ?? false;
        return claimed;
      }
      claimed += 1;
      if (announced > 0) announced -= 1;
      else mayBeWaiting = true;
    }
  };

  let chain: Promise<unknown> = Promise.resolve();
  let queued: { polled: boolean; done: Promise<number> } | null = null;
  const schedule = (polled: boolean): Promise<number> => {
    if (stopped()) return Promise.resolve(0);
    if (queued) {
      queued.polled ||= polled;
      return queued.done;
    }
    const entry: { polled: boolean; done: Promise<number> } = { polled, done: Promise.resolve(0) };
    entry.done = chain.then(() => {
      queued = null;
      return pass(entry.polled);
    });
    queued = entry;
    chain = entry.done.catch(() => 0);
    return entry.done;
  };

  // The worker's own poll loop calls `this.tick()`, so patching the instance covers it too.
  internals.tick = () => schedule(true);
  const executions = internals.activeExecutions;
  const remove = executions.delete.bind(executions);
  executions.delete = (execution: { workerId: string }): boolean => {
    const removed = remove(execution);
    if (announced > 0 || mayBeWaiting) schedule(false).catch(onError);
    return removed;
  };
  return {
    announced() {
      announced += 1;
      schedule(false).catch(onError);
    },
    lookAgain() {
      mayBeWaiting = true;
      schedule(true).catch(onError);
    },
  };
}
