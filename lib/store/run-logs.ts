/**
 * Run log store: one row per block attempt, plus one per skipped block (attempt 0). Workers write
 * it from inside durable steps, which may run more than once after a crash, so a write is an
 * upsert on (run, block, attempt); an update takes a fresh id so cursor readers see it again.
 * Each write also moves a queued run to running (NOTIFYing status readers), in the same statement.
 * Entries themselves are not NOTIFYed: at ~10 % of worker throughput it costs more than readers
 * gain over polling (the SSE stream polls every 250 ms and is woken by status changes).
 */
import type postgres from "postgres";
import { z } from "zod";
import { FINAL_HINT, MAX_FINAL_HINT_BYTES, RUN_STATUS_CHANNEL, RUNNING_HINT } from "./channels";
import type { RunError, RunLogEntry, RunLogMessage, RunLogStatus } from "@/lib/resources/run";
import { decodeCursor, encodeCursor } from "./cursor";
import { jsonb, runLogLock } from "./runs";

export const LogCursorSchema = z.object({ l: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }).strict();

/** Decodes a log cursor; null when it is not one of ours. */
export function decodeLogCursor(cursor: string): number | null {
  return decodeCursor(cursor, LogCursorSchema)?.l ?? null;
}

/** One attempt's entry as written: a `RunLogEntry` without what reads derive (its cursor id and
 *  duration), with its run and the times as Dates. */
export interface AttemptLog extends Omit<RunLogEntry, "id" | "durationMs" | "startedAt" | "finishedAt"> {
  runId: string;
  organizationId: string;
  startedAt: Date;
  finishedAt: Date | null;
}

/** A run's final state, when a block's entry is also the run's last write. */
export interface FinalRunWrite {
  status: "succeeded" | "failed";
  output: Record<string, unknown>;
  error: RunError | null;
}

/** An attempt's write: its entry, and what it means for the run (see `writeAttemptLog`). */
export interface AttemptWrite {
  log: AttemptLog;
  final?: FinalRunWrite | null;
  settled?: { output: unknown } | null;
}

/**
 * The parts of attempts' writes (one, or several of one run whose steps complete together), to
 * follow a WITH: `ctes` defines `lock` (the run log's lock), `entry` (the upserted entries) and
 * `changed` (the run row they changed, if any); `notify` is a scalar subquery that NOTIFYs status
 * readers when the run's status changed, to be selected once. Only the last write may be the
 * run's `final` one; each `settled` output is merged into the run's. `writeAttemptLog` sends them
 * alone; the worker folds them into the statement that completes the attempts' durable steps
 * (lib/runtime/openworkflow.ts, `foldedStepCompletion`).
 */
export function attemptWriteParts(
  sql: postgres.Sql,
  writes: readonly AttemptWrite[],
): { ctes: postgres.PendingQuery<postgres.Row[]>; notify: postgres.PendingQuery<postgres.Row[]> } {
  const last = writes.at(-1);
  if (!last) throw new Error("attemptWriteParts: no write");
  const { runId } = last.log;
  const final = last.final ?? null;
  const startedAt = new Date(Math.min(...writes.map((w) => w.log.startedAt.getTime())));
  const settledOutputs = writes.filter((w) => w.settled).map((w) => [w.log.blockId, (w.settled as { output: unknown }).output] as const);
  const merge = settledOutputs.length > 0 ? sql`, output = coalesce(output, '{}'::jsonb) || ${jsonb(sql, Object.fromEntries(settledOutputs))}::jsonb` : sql``;
  // `was` reads the row as the statement's snapshot saw it: only the queued → running change NOTIFYs.
  const runUpdate = final
    ? sql`
      UPDATE runs SET status = ${final.status}, output = ${jsonb(sql, final.output)}::jsonb, error = ${jsonb(sql, final.error)}::jsonb,
        finished_at = now(), started_at = coalesce(started_at, ${startedAt}::timestamptz)
      WHERE id = ${runId} AND status IN ('queued', 'running')
      RETURNING id, trigger, status, output, error`
    : settledOutputs.length > 0
      ? sql`
      UPDATE runs SET status = 'running', started_at = coalesce(started_at, ${startedAt}::timestamptz) ${merge}
      WHERE id = ${runId} AND status IN ('queued', 'running')
      RETURNING id, (SELECT was.status = 'queued' FROM runs was WHERE was.id = ${runId}) AS moved`
      : sql`
      UPDATE runs SET status = 'running', started_at = coalesce(started_at, ${startedAt}::timestamptz)
      WHERE id = ${runId} AND status = 'queued'
      RETURNING id`;
  const rows = writes
    .map(
      ({ log }, i) => sql`${i > 0 ? sql`, ` : sql``}(${log.blockId}::text, ${log.blockType}::text, ${log.attempt}::int, ${log.status}::text,
        ${jsonb(sql, log.input)}::jsonb, ${jsonb(sql, log.output)}::jsonb, ${jsonb(sql, log.error)}::jsonb, ${jsonb(sql, log.messages)}::jsonb,
        ${log.startedAt}::timestamptz, ${log.finishedAt}::timestamptz)`,
    )
    .reduce((list, row) => sql`${list}${row}`);
  const ctes = sql`
    lock AS (${runLogLock(sql, runId)}), entry AS (
      INSERT INTO run_logs (run_id, organization_id, block_id, block_type, attempt, status, input, output, error, messages, started_at, finished_at)
      SELECT ${runId}::text, ${last.log.organizationId}::text, v.*
      FROM lock, (VALUES ${rows}) AS v(block_id, block_type, attempt, status, input, output, error, messages, started_at, finished_at)
      ON CONFLICT (run_id, block_id, attempt) DO UPDATE SET
        id = nextval('run_logs_id_seq'), status = excluded.status, input = excluded.input, output = excluded.output,
        error = excluded.error, messages = excluded.messages, started_at = excluded.started_at,
        finished_at = excluded.finished_at, created_at = now()
      WHERE run_logs.attempt <> 0 -- a skip (attempt 0) is recorded once: a replay's rewrite changes nothing
      RETURNING id
    ), changed AS (${runUpdate})`;
  // Settled blocks that do not end the run change it only by starting it (queued → running). A
  // webhook-started run that ends without an answer tells its waiting caller how, as stored
  // (FINAL_HINT), so the caller need not read it; a `respond_webhook` answer is read as usual.
  const notify = final
    ? sql`(SELECT pg_notify(${RUN_STATUS_CHANNEL}, CASE
          WHEN changed.trigger = 'webhook' AND octet_length(hint.state) <= ${MAX_FINAL_HINT_BYTES}
            AND NOT EXISTS (SELECT 1 FROM webhook_responses w WHERE w.run_id = changed.id)
          THEN changed.id || ${`:${FINAL_HINT}:`} || hint.state ELSE changed.id END)
        FROM changed, LATERAL (SELECT jsonb_build_object('status', changed.status, 'output', changed.output, 'error', changed.error)::text AS state) hint)`
    : settledOutputs.length > 0
      ? sql`(SELECT pg_notify(${RUN_STATUS_CHANNEL}, id || ${`:${RUNNING_HINT}`}) FROM changed WHERE moved)`
      : sql`(SELECT pg_notify(${RUN_STATUS_CHANNEL}, id) FROM changed)`;
  return { ctes, notify };
}

/**
 * Upserts one attempt's entry. In the same statement it marks a queued run running (started at
 * the attempt's start) and, with `settled` (the block is done), merges its output into the run's
 * `output`, so a paused or canceled run shows what already ran; or, with `final`, writes the
 * run's final state — what `finishRun` does — saving the run one round trip when its last block ends.
 */
export async function writeAttemptLog(
  sql: postgres.Sql,
  log: AttemptLog,
  final?: FinalRunWrite | null,
  settled?: { output: unknown } | null,
): Promise<void> {
  await writeAttempts(sql, [{ log, final, settled }]);
}

/** Sends attempts' writes of one run (`attemptWriteParts`) as one statement of their own. */
export async function writeAttempts(sql: postgres.Sql, writes: readonly AttemptWrite[]): Promise<void> {
  const { ctes, notify } = attemptWriteParts(sql, writes);
  // The entries first (they take the lock), then the run's row: the order markRunCanceled takes them in.
  await sql`WITH ${ctes} SELECT ${notify} FROM (SELECT count(*) FROM entry) entries`;
}

/**
 * Skipped blocks' entries (attempt 0), as attempt writes: sent with `writeAttempts`, or kept with
 * a worker's deferred completions (lib/runtime/openworkflow.ts). A skip is recorded once: a
 * replay's rewrite of it changes nothing (`attemptWriteParts`).
 */
export function skipWrites(run: { runId: string; organizationId: string }, blocks: { blockId: string; blockType: string; reason: string }[]): AttemptWrite[] {
  const at = new Date();
  return blocks.map((b) => ({
    log: {
      runId: run.runId,
      organizationId: run.organizationId,
      blockId: b.blockId,
      blockType: b.blockType,
      attempt: 0,
      status: "skipped",
      input: null,
      output: null,
      error: null,
      messages: [{ level: "info", message: b.reason, at: at.toISOString() }],
      startedAt: at,
      finishedAt: at,
    },
  }));
}

interface LogRow {
  id: string;
  block_id: string;
  block_type: string;
  attempt: number;
  status: string;
  input: unknown;
  output: unknown;
  error: unknown;
  messages: RunLogMessage[];
  started_at: Date | null;
  finished_at: Date | null;
}

function toEntry(row: LogRow): RunLogEntry {
  return {
    id: encodeCursor({ l: Number(row.id) }),
    blockId: row.block_id,
    blockType: row.block_type,
    attempt: row.attempt,
    status: row.status as RunLogStatus,
    input: row.input ?? null,
    output: row.output ?? null,
    error: row.error ?? null,
    messages: row.messages ?? [],
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    durationMs: row.started_at && row.finished_at ? row.finished_at.getTime() - row.started_at.getTime() : null,
  };
}

/** Entries of a run after cursor position `after` (exclusive), in write order. */
export async function listRunLogs(
  sql: postgres.Sql,
  runId: string,
  options: { after: number | null; limit: number },
): Promise<{ data: RunLogEntry[]; nextCursor: string | null }> {
  const rows = await sql<LogRow[]>`
    SELECT id, block_id, block_type, attempt, status, input, output, error, messages, started_at, finished_at
    FROM run_logs
    WHERE run_id = ${runId} ${options.after !== null ? sql`AND id > ${options.after}` : sql``}
    ORDER BY id
    LIMIT ${options.limit + 1}`;
  const data = rows.slice(0, options.limit).map(toEntry);
  const more = rows.length > options.limit;
  return { data, nextCursor: more ? data[data.length - 1].id : null };
}
