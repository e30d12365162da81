/**
 * Retention (docs/runs.md, "Retention"): finished runs older than their organization's retention
 * are deleted with everything that belongs to them, in Weft's tables and openworkflow's, and
 * org-wide events nothing consumed expire after the same time.
 *
 * Each call is one statement (one transaction) over at most `batchSize` runs or events, so a
 * sweep never holds many locks or a long transaction. Runs (Weft's row and openworkflow's) and
 * events are claimed with `FOR UPDATE SKIP LOCKED`: sweepers running at once take disjoint
 * batches, and a sweep never waits on a run someone else holds; the rows that belong to a
 * finished run (logs, waits, step attempts, signals) are ones nothing writes any more. Only runs
 * whose Weft status is final (succeeded, failed, canceled) and whose openworkflow run, if it still
 * exists, is final too are touched, so a run that is queued, running or waiting is never locked
 * or deleted.
 */
import type postgres from "postgres";

/**
 * Weft's final run statuses, the only runs retention deletes, written as literals (not parameters)
 * so the planner can match the partial indexes `runs_retention_idx` and `events_unconsumed_org_idx`
 * even in a generic plan.
 */
const FINAL_RUN = "status IN ('succeeded', 'failed', 'canceled')";
const UNCONSUMED_ORG_EVENT = "consumed_at IS NULL AND run_id IS NULL";
/**
 * openworkflow's terminal run statuses (0.10.1's `isTerminalStatus`; `succeeded` is legacy). A run
 * in any other status is in use and is never deleted (tests/runtime/openworkflow-contract.test.ts).
 */
export const OPENWORKFLOW_FINAL = ["completed", "succeeded", "failed", "canceled"] as const;

export interface RetentionOptions {
  /** WEFT_RETENTION_DAYS: the retention of organizations that did not choose one. */
  defaultDays: number;
  /** At most this many runs (or events) per statement. */
  batchSize: number;
}

export interface RunSweepOptions extends RetentionOptions {
  /** The schema of openworkflow's tables (`openworkflowSchemaOf(schema)`). */
  owSchema: string;
  /** The openworkflow namespace Weft's runs live in ("default"). */
  namespaceId: string;
}

/** Rows one batch deleted, per table. `runs` below `batchSize` means nothing more was due. */
export interface RunSweepResult {
  runs: number;
  runLogs: number;
  runWaits: number;
  events: number;
  workflowRuns: number;
  stepAttempts: number;
  workflowSignals: number;
  /** Answers of webhook-started runs (respond_webhook). */
  webhookResponses: number;
}

/**
 * `WITH RECURSIVE` CTEs ending in `orgs(organization_id, cutoff)`: every organization with a row
 * of `scan.table` matching `scan.where` (found by a skip scan of the partial index on exactly
 * that, one probe per organization, so an organization deleted from better-auth's tables is swept
 * too), with `now()` minus its retention.
 */
function organizationsWithCutoffs(sql: postgres.Sql, scan: { table: string; where: string }, defaultDays: number) {
  const table = sql(scan.table);
  const where = sql.unsafe(scan.where);
  return sql`
    WITH RECURSIVE swept_orgs(organization_id) AS (
      (SELECT organization_id FROM ${table} WHERE ${where} ORDER BY organization_id LIMIT 1)
      UNION ALL
      SELECT (SELECT t.organization_id FROM ${table} t WHERE ${where} AND t.organization_id > swept_orgs.organization_id
              ORDER BY t.organization_id LIMIT 1)
      FROM swept_orgs WHERE swept_orgs.organization_id IS NOT NULL
    ), orgs AS (
      SELECT o.organization_id,
        now() - make_interval(days => coalesce(s.run_retention_days, ${defaultDays}::int)) AS cutoff
      FROM swept_orgs o LEFT JOIN organization_settings s ON s.organization_id = o.organization_id
      WHERE o.organization_id IS NOT NULL
    )`;
}

/**
 * Deletes one batch of expired runs: the oldest finished runs of each organization past its
 * retention (its own `run_retention_days`, else `defaultDays`), with their run logs, waits,
 * events (addressed to them or consumed by them), their webhook answers, their idempotency keys (which live on the run
 * row) and openworkflow's workflow run, step attempts and signals. Returns what it deleted.
 */
export async function deleteExpiredRuns(sql: postgres.Sql, options: RunSweepOptions): Promise<RunSweepResult> {
  const ow = (table: string) => sql(`${options.owSchema}.${table}`);
  const ns = options.namespaceId;
  const [row] = await sql<{ [K in keyof RunSweepResult]: number }[]>`
    ${organizationsWithCutoffs(sql, { table: "runs", where: FINAL_RUN }, options.defaultDays)},
    picked AS (
      SELECT r.id, r.ow_run_id FROM orgs CROSS JOIN LATERAL (
        SELECT runs.id, runs.ow_run_id FROM runs
        WHERE runs.organization_id = orgs.organization_id AND ${sql.unsafe(FINAL_RUN)} AND runs.finished_at < orgs.cutoff
          AND NOT EXISTS (
            SELECT 1 FROM ${ow("workflow_runs")} w
            WHERE w.namespace_id = ${ns} AND w.id = runs.ow_run_id AND w.status NOT IN ${sql(OPENWORKFLOW_FINAL)}
          )
        ORDER BY runs.finished_at
        LIMIT ${options.batchSize}
        FOR UPDATE OF runs SKIP LOCKED
      ) r
      LIMIT ${options.batchSize}
    ), ow_locked AS (
      SELECT w.id FROM ${ow("workflow_runs")} w
      WHERE w.namespace_id = ${ns} AND w.id IN (SELECT ow_run_id FROM picked) AND w.status IN ${sql(OPENWORKFLOW_FINAL)}
      FOR UPDATE SKIP LOCKED
    ), doomed AS (
      -- A picked run goes unless its openworkflow row exists and is held by someone else.
      SELECT p.id, p.ow_run_id FROM picked p
      WHERE p.ow_run_id IS NULL OR p.ow_run_id IN (SELECT id FROM ow_locked)
        OR NOT EXISTS (SELECT 1 FROM ${ow("workflow_runs")} w WHERE w.namespace_id = ${ns} AND w.id = p.ow_run_id)
    ), signals AS (
      DELETE FROM ${ow("workflow_signals")} s USING ${ow("step_attempts")} a
      WHERE a.namespace_id = ${ns} AND a.workflow_run_id IN (SELECT ow_run_id FROM doomed)
        AND s.namespace_id = ${ns} AND s.step_attempt_id = a.id
      RETURNING 1
    ), steps AS (
      DELETE FROM ${ow("step_attempts")} WHERE namespace_id = ${ns} AND workflow_run_id IN (SELECT ow_run_id FROM doomed) RETURNING 1
    ), workflow_runs AS (
      DELETE FROM ${ow("workflow_runs")} WHERE namespace_id = ${ns} AND id IN (SELECT ow_run_id FROM doomed) RETURNING 1
    ), logs AS (
      DELETE FROM run_logs WHERE run_id IN (SELECT id FROM doomed) RETURNING 1
    ), waits AS (
      DELETE FROM run_waits WHERE run_id IN (SELECT id FROM doomed) RETURNING 1
    ), run_events AS (
      DELETE FROM events WHERE run_id IN (SELECT id FROM doomed) OR consumed_by_run IN (SELECT id FROM doomed) RETURNING 1
    ), responses AS (
      DELETE FROM webhook_responses WHERE run_id IN (SELECT id FROM doomed) RETURNING 1
    ), deleted AS (
      DELETE FROM runs WHERE id IN (SELECT id FROM doomed) RETURNING 1
    )
    SELECT
      (SELECT count(*) FROM deleted)::int AS runs,
      (SELECT count(*) FROM logs)::int AS "runLogs",
      (SELECT count(*) FROM waits)::int AS "runWaits",
      (SELECT count(*) FROM run_events)::int AS events,
      (SELECT count(*) FROM workflow_runs)::int AS "workflowRuns",
      (SELECT count(*) FROM steps)::int AS "stepAttempts",
      (SELECT count(*) FROM signals)::int AS "workflowSignals",
      (SELECT count(*) FROM responses)::int AS "webhookResponses"`;
  return row;
}

/**
 * Deletes one batch of org-wide events that nothing consumed and that are older than their
 * organization's retention; returns how many. Events addressed to one run stay while that run
 * exists (it may still wait for them) and go with it.
 */
export async function deleteExpiredEvents(sql: postgres.Sql, options: RetentionOptions): Promise<number> {
  const [row] = await sql<{ events: number }[]>`
    ${organizationsWithCutoffs(sql, { table: "events", where: UNCONSUMED_ORG_EVENT }, options.defaultDays)},
    expired AS (
      SELECT e.id FROM orgs CROSS JOIN LATERAL (
        SELECT events.id FROM events
        WHERE events.organization_id = orgs.organization_id AND ${sql.unsafe(UNCONSUMED_ORG_EVENT)} AND events.created_at < orgs.cutoff
        ORDER BY events.created_at
        LIMIT ${options.batchSize}
        FOR UPDATE OF events SKIP LOCKED
      ) e
      LIMIT ${options.batchSize}
    ), deleted AS (
      DELETE FROM events WHERE id IN (SELECT id FROM expired) RETURNING 1
    )
    SELECT count(*)::int AS events FROM deleted`;
  return row.events;
}
