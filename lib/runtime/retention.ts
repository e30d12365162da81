/**
 * The retention sweeper every worker process runs (docs/runs.md, "Retention"): every few minutes,
 * delete finished runs past their organization's retention, with their logs, events and
 * openworkflow rows, and expire org-wide events nothing consumed, in batches of one statement
 * each (lib/store/retention.ts). Batches claim rows with SKIP LOCKED, so any number of workers
 * sweep at once without deleting a row twice or waiting on each other or on a run.
 */
import type postgres from "postgres";
import { openworkflowSchemaOf } from "@/db/client";
import type { Logger } from "@/lib/log";
import { deleteExpiredEvents, deleteExpiredRuns, type RunSweepResult } from "@/lib/store/retention";
import { NAMESPACE_ID } from "./openworkflow";
import { startPeriodicLoop, type PeriodicLoop } from "./periodic-loop";

export interface RetentionSweepOptions {
  /** A pool on Weft's schema (its search_path); openworkflow's tables are found beside it. */
  sql: postgres.Sql;
  /** The schema of Weft's tables (default public). */
  schema: string;
  /** WEFT_RETENTION_DAYS: organizations that did not choose keep finished runs this many days. */
  defaultDays: number;
  /** WEFT_RETENTION_BATCH_SIZE: runs (or events) per statement; default 500. */
  batchSize?: number;
  /** A pass stops after this many batches of runs (and as many of events), so one pass stays short; default 100. */
  maxBatches?: number;
}

/** What one pass deleted: per table, and how many statements it took. */
export interface RetentionPassResult extends RunSweepResult {
  expiredEvents: number;
  batches: number;
}

/**
 * One pass: batches of expired runs until a batch comes back short (nothing more is due, or the
 * rest is held by another sweeper), then batches of expired events the same way. Throws what the
 * database throws; what earlier batches deleted stays deleted.
 */
export async function sweepRetention(options: RetentionSweepOptions): Promise<RetentionPassResult> {
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 100;
  const common = { defaultDays: options.defaultDays, batchSize };
  const runBatch = { ...common, owSchema: openworkflowSchemaOf(options.schema), namespaceId: NAMESPACE_ID };
  const total: RetentionPassResult = {
    runs: 0, runLogs: 0, runWaits: 0, events: 0, workflowRuns: 0, stepAttempts: 0, workflowSignals: 0, webhookResponses: 0, expiredEvents: 0, batches: 0,
  };
  for (let i = 0; i < maxBatches; i++) {
    const batch = await deleteExpiredRuns(options.sql, runBatch);
    total.batches++;
    for (const key of Object.keys(batch) as (keyof RunSweepResult)[]) total[key] += batch[key];
    if (batch.runs < batchSize) break;
  }
  for (let i = 0; i < maxBatches; i++) {
    const expired = await deleteExpiredEvents(options.sql, common);
    total.batches++;
    total.expiredEvents += expired;
    if (expired < batchSize) break;
  }
  return total;
}

export type RetentionSweeper = PeriodicLoop;

/**
 * Starts the sweeper: a first pass at once, then one every `intervalMs` (±10 %, so workers
 * started together drift apart). A failed pass is logged and the next one tries again.
 */
export function startRetentionSweeper(options: RetentionSweepOptions & { intervalMs: number; logger: Logger }): RetentionSweeper {
  const log = options.logger.child({ component: "retention" });
  const loop = startPeriodicLoop({
    pass: async () => {
      try {
        const result = await sweepRetention(options);
        if (result.runs > 0 || result.expiredEvents > 0) log.info(result, "retention pass deleted expired runs and events");
      } catch (error) {
        log.error({ err: error }, "retention pass failed; the next one tries again");
      }
    },
    nextDelayMs: () => Math.round(options.intervalMs * (0.9 + Math.random() * 0.2)),
    onStopped: () => log.info("retention sweeper stopped"),
  });
  log.info({ intervalMs: options.intervalMs, defaultDays: options.defaultDays, batchSize: options.batchSize ?? 500 }, "retention sweeper started");
  return loop;
}
