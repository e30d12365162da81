/**
 * Webhook answers (docs/runs.md, "Answering the caller"): what a webhook-started run answers its
 * caller, one row per run. The worker writes it from inside a block's durable step, which may run
 * again after a crash, so the write is idempotent (the first block to answer wins; the same block
 * again is the same answer) and NOTIFYs the run's status readers in the same statement. The web
 * request waiting on the run reads it, scoped to the endpoint's organization.
 */
import type postgres from "postgres";
import type { WebhookRespondOutcome, WebhookResponse } from "@/lib/engine/webhook-response";
import { FINAL_STATUSES, type RunStatus } from "@/lib/resources/run";
import { RUN_STATUS_CHANNEL } from "./channels";
import { jsonb } from "./runs";

/**
 * Records `response` as the run's answer, if the run was started by a webhook, is not finished,
 * and has no answer yet; one statement. A replay by the block that answered reports `responded`.
 */
export async function recordWebhookResponse(
  sql: postgres.Sql,
  answer: { runId: string; organizationId: string; blockId: string; response: WebhookResponse },
): Promise<WebhookRespondOutcome> {
  const { runId, organizationId, blockId, response } = answer;
  // Every sub-statement sees the snapshot from before the INSERT: `responded_by` is an earlier answer.
  const [row] = await sql<{ trigger: string | null; status: string | null; inserted: boolean; responded_by: string | null }[]>`
    WITH run AS (
      SELECT id, organization_id, trigger, status FROM runs WHERE id = ${runId} AND organization_id = ${organizationId}
    ), inserted AS (
      INSERT INTO webhook_responses (run_id, organization_id, block_id, status, headers, body)
      SELECT run.id, run.organization_id, ${blockId}::text, ${response.status}::int, ${jsonb(sql, response.headers)}::jsonb, ${response.body}::text
      FROM run WHERE run.trigger = 'webhook' AND run.status IN ('queued', 'running')
      ON CONFLICT (run_id) DO NOTHING
      RETURNING run_id
    ), notified AS (
      SELECT pg_notify(${RUN_STATUS_CHANNEL}, run_id) FROM inserted
    )
    SELECT (SELECT trigger FROM run) AS trigger, (SELECT status FROM run) AS status,
      (SELECT count(*) FROM notified) > 0 AS inserted,
      (SELECT block_id FROM webhook_responses WHERE run_id = ${runId} AND organization_id = ${organizationId}) AS responded_by`;
  if (row.inserted || row.responded_by === blockId) return { responded: true };
  if (row.trigger !== "webhook") return { responded: false, reason: "not_webhook_run" };
  if (row.responded_by !== null) return { responded: false, reason: "already_responded", respondedBy: row.responded_by };
  if (row.status !== null && FINAL_STATUSES.has(row.status as RunStatus)) return { responded: false, reason: "run_finished" };
  // Another block's answer committed while this statement waited on it (parallel branches).
  return { responded: false, reason: "already_responded" };
}

const FINAL_STATUS_LIST = [...FINAL_STATUSES];

/** Where a webhook-started run stands for its waiting caller: its answer, if any, and how it ended, once it did. */
export interface WebhookAnswerState {
  /** The run's final status, output and error; null while it has not finished. */
  finished: { status: RunStatus; output: unknown; error: unknown } | null;
  response: WebhookResponse | null;
}

/**
 * The run's answer and whether (and how) it finished, read together in one snapshot: an answer
 * recorded before the run finished is always seen with it, and the waiting caller needs no second
 * read for the finished run. The output and error are read only once the run is final. Null when
 * the run is not in this organization.
 */
export async function getWebhookAnswerState(pool: postgres.Sql, organizationId: string, runId: string): Promise<WebhookAnswerState | null> {
  // postgres.js, not drizzle: a waiting caller sends this after each of its run's notifications.
  const [row] = await pool<{ run_status: RunStatus; run_output: unknown; run_error: unknown; status: number | null; headers: Record<string, string> | null; body: string | null }[]>`
    SELECT r.status AS run_status,
      CASE WHEN r.status IN ${pool(FINAL_STATUS_LIST)} THEN r.output END AS run_output,
      CASE WHEN r.status IN ${pool(FINAL_STATUS_LIST)} THEN r.error END AS run_error,
      w.status, w.headers, w.body
    FROM runs r
    LEFT JOIN webhook_responses w ON w.run_id = r.id AND w.organization_id = r.organization_id
    WHERE r.organization_id = ${organizationId} AND r.id = ${runId}`;
  if (!row) return null;
  const response = row.status === null || row.headers === null ? null : { status: row.status, headers: row.headers, body: row.body };
  const status = row.run_status;
  const finished = FINAL_STATUSES.has(status) ? { status, output: row.run_output ?? null, error: row.run_error ?? null } : null;
  return { finished, response };
}
