/**
 * A worker: executes runs through openworkflow. Many may run against one database (claims are
 * `FOR UPDATE SKIP LOCKED` with a 30 s lease). Prompt start: LISTEN on `weft_runs` and claim at
 * once on every NOTIFY, one claim per announced run, and again whenever a slot frees
 * (driveClaims in ./openworkflow.ts; docs/openworkflow.md, "The claim loop"). Each claim is the
 * fair one (docs/runs.md, "Admission"): a per-organization cap across all workers, round-robin
 * between organizations, oldest first within one.
 */
import postgres from "postgres";
import { OpenWorkflow } from "openworkflow";
import { CONNECTION_OPTIONS, DEFAULT_SCHEMA, openDatabase, openworkflowSchemaOf, type DatabaseHandle } from "@/db/client";
import { DEFAULT_ORG_MAX_RUNNING } from "@/lib/config";
import { connectorRegistry } from "@/lib/connectors";
import type { ConnectorRegistry } from "@/lib/engine/connector";
import type { Logger } from "@/lib/log";
import { RUN_CANCELED_CHANNEL, RUNS_CHANNEL } from "@/lib/store/channels";
import { signalBlock, SIGNAL_RETRY_MS } from "./block-signal";
import { cancelDescendants } from "./cancel-runs";
import { startChildrenWatch } from "./children-watch";
import { executeRun, RunHandedBack } from "./execute-run";
import { driveClaims, isParkError, isStaleBranchError, openWorkerBackend, releaseRun, weftRunSpec } from "./openworkflow";
import type { RunInput } from "./types";
import { openRunStorePool } from "@/lib/store/runs";
import { RunAborts, type WorkerDeps } from "./worker-deps";

export interface WorkerOptions {
  databaseUrl: string;
  /** The schema of Weft's tables (default public; openworkflow's are beside it). A shared `database` must be opened for the same one. */
  schema?: string;
  /** A drizzle handle to share for secret reads (tests); by default the worker opens a small one. */
  database?: DatabaseHandle;
  secretsKey: Buffer;
  registry?: ConnectorRegistry;
  logger: Logger;
  /** WEFT_ALLOW_PRIVATE_HTTP: http_request may reach private and loopback addresses. */
  allowPrivateHttp?: boolean;
  /** Runs executed at once (WORKER_CONCURRENCY); default 10. */
  concurrency?: number;
  /**
   * The cap on one organization's runs executing at once across all workers, for organizations
   * without an override in `organization_admission` (WEFT_ORG_MAX_RUNNING); 0 = no cap. Default
   * DEFAULT_ORG_MAX_RUNNING (lib/config.ts). Workers of one database should agree on it (docs/runs.md, "Admission").
   */
  orgMaxRunning?: number;
  /** Benchmarks: called with every statement the worker's pools send (not its LISTEN connection). Off by default. */
  onQuery?: (pool: "openworkflow" | "store", query: string) => void;
}

export interface RunningWorker {
  /**
   * Stops claiming, lets the blocks in flight finish (starting no new ones), hands each run with
   * blocks left back to the queue for another worker, then closes its pools.
   */
  stop(): Promise<void>;
}

/** Starts a worker; resolves once it listens for new runs and has started claiming. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const concurrency = options.concurrency ?? 10;
  const log = options.logger.child({ component: "worker" });
  const schema = options.database?.schema ?? options.schema ?? DEFAULT_SCHEMA;
  if (options.schema !== undefined && options.schema !== schema) {
    throw new Error(`startWorker: schema "${options.schema}" but the database handle was opened for "${schema}"`);
  }
  const database = options.database ?? openDatabase(options.databaseUrl, { max: 4, schema });
  const sql = openRunStorePool(options.databaseUrl, concurrency + 4, schema);
  const onQuery = options.onQuery;
  if (onQuery) {
    // postgres.js reads `options.debug` at every query, so the pools stay exactly as built.
    sql.options.debug = (_connection, query) => onQuery("store", query);
    if (!options.database) database.sql.options.debug = (_connection, query) => onQuery("store", query);
  }
  const { backend, admission, stageWrite, stagePureStep, deferWrites, flushRun, forgetRun } = openWorkerBackend(options.databaseUrl, {
    max: Math.max(10, concurrency + 2),
    weftSchema: schema,
    store: sql,
    orgMaxRunning: options.orgMaxRunning ?? DEFAULT_ORG_MAX_RUNNING,
    debug: onQuery && ((_connection, query) => onQuery("openworkflow", query)),
  });
  const ow = new OpenWorkflow({ backend });
  const aborts = new RunAborts();
  let stopping = false;
  const deps: WorkerDeps = {
    sql,
    db: database.db,
    registry: options.registry ?? connectorRegistry,
    secretsKey: options.secretsKey,
    operator: { allowPrivateHttp: options.allowPrivateHttp ?? false },
    owSchema: openworkflowSchemaOf(schema),
    draining: () => stopping,
    stageWrite,
  };
  const wakes = new Set<Promise<void>>();

  /**
   * A child run's pass ended (finished, or failed outside its blocks): signal the call_workflow
   * block waiting for it, in the background. Once per child (the key), and the block re-reads
   * the statuses anyway; a signal lost here is re-sent by the children watch.
   */
  const wakeParent = (input: RunInput, runLog: Logger): void => {
    const parent = input.parent;
    if (!parent) return;
    const task = signalBlock(ow, sql, parent, {
      data: { childRunId: input.runId },
      idempotencyKey: `child:${input.runId}`,
      retryMs: SIGNAL_RETRY_MS,
      stopped: () => stopping,
    }).then(
      () => undefined,
      (error: unknown) => runLog.warn({ err: error, parentRunId: parent.runId }, "could not signal the parent run; the children watch will"),
    );
    wakes.add(task);
    void task.finally(() => wakes.delete(task));
  };

  // Implement before newWorker(): the worker snapshots the registry (docs/openworkflow.md, "Other behaviour").
  ow.implementWorkflow(weftRunSpec, async ({ input, step, run }) => {
    const runLog = log.child({ runId: input.runId, owRunId: run.id });
    const signal = aborts.signal(input.runId);
    try {
      const runDeps: WorkerDeps = {
        ...deps,
        stagePureStep: (stepName) => stagePureStep(run.id, stepName),
        deferSkips: (writes) => deferWrites(run.id, writes),
        flushDeferred: () => flushRun(run.id),
      };
      const outcome = await executeRun(runDeps, input, step, runLog, signal);
      // A run that failed with child runs still going (another branch failed) takes them down with it.
      // Before openworkflow completes the run, so a crash here replays the pass and this again.
      if (outcome.status === "failed") await cancelDescendants(ow, sql, input.organizationId, input.runId, runLog);
      wakeParent(input, runLog);
      return outcome;
    } catch (error) {
      if (error instanceof RunHandedBack) await handBack(run.id, input.runId, runLog);
      else if (!isParkError(error)) runLog.error({ err: error }, "run pass failed; openworkflow retries or fails it");
      // openworkflow sends nothing more for a run its pass lost: what the backend kept for it goes.
      if (isStaleBranchError(error)) forgetRun(run.id);
      // It may have written the run failed (step_limit, internal_error): the parent's block looks again.
      if (!(error instanceof RunHandedBack) && !isParkError(error) && !isStaleBranchError(error)) wakeParent(input, runLog);
      throw error;
    } finally {
      aborts.release(input.runId);
    }
  });
  const worker = ow.newWorker({ concurrency });

  /** The worker is stopping and this run has blocks left: make it claimable now, and say so. */
  const handBack = async (owRunId: string, runId: string, runLog: Logger): Promise<void> => {
    try {
      if (await releaseRun(worker, backend, owRunId)) {
        await sql`SELECT pg_notify(${RUNS_CHANNEL}, ${runId})`;
        runLog.info("worker stopping: run handed back after its in-flight blocks finished");
        return;
      }
      runLog.warn("worker stopping: run not found among the executions; openworkflow reschedules it");
    } catch (error) {
      // openworkflow's failure transition (thrown to next) reschedules it with backoff instead.
      runLog.warn({ err: error }, "worker stopping: could not hand the run back; openworkflow reschedules it");
    }
  };
  const claims = driveClaims(worker, { stopped: () => stopping, onError: (error) => log.error({ err: error }, "tick failed"), admission });

  const listener = postgres(options.databaseUrl, { ...CONNECTION_OPTIONS, max: 1 });
  // The onlisten callback also runs after a reconnect: look for what was announced meanwhile.
  await listener.listen(RUNS_CHANNEL, claims.announced, claims.lookAgain);
  await listener.listen(RUN_CANCELED_CHANNEL, (runId) => {
    if (aborts.abort(runId)) log.info({ runId }, "aborting the in-flight blocks of a canceled run");
  });
  await worker.start();
  const childrenWatch = startChildrenWatch({ sql, ow, logger: log });
  log.info({ concurrency, orgMaxRunning: options.orgMaxRunning ?? DEFAULT_ORG_MAX_RUNNING }, "worker started");

  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      await childrenWatch.stop();
      await listener.end({ timeout: 2 });
      await worker.stop();
      await Promise.allSettled([...wakes]);
      await backend.stop();
      await sql.end({ timeout: 5 });
      if (!options.database) await database.close();
      log.info("worker stopped");
    },
  };
}
