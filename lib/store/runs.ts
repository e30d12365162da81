/**
 * Run store (docs/runs.md): the org-scoped `runs` rows the API reads. Written in plain SQL on the
 * postgres.js pool so each runtime write is exactly one round trip (status changes fold their
 * NOTIFY into the same statement). "waiting" is not stored: it is a running run with an open
 * row in `run_waits`, computed on read.
 */
import postgres from "postgres";
import { and, eq } from "drizzle-orm";
import { CONNECTION_OPTIONS, schemaPoolOptions, type Database } from "@/db/client";
import { runs } from "@/db/schema";
import type { WorkflowDefinition } from "@/lib/engine/model";
import type { ChildRun, RunError, RunResource, RunStatus, RunTrigger, WaitingOn } from "@/lib/resources/run";
import { RUN_CANCELED_CHANNEL, RUN_STATUS_CHANNEL } from "./channels";
import type { CreatedAtCursor } from "./cursor";
import { newId } from "./ids";
import { createdAtCursorOf, pageOf, type Page, type PageRequest } from "./pages";
import { inTransaction } from "./transaction";

/**
 * A postgres.js pool for the run stores. Not the drizzle handle's pool: drizzle replaces that
 * client's json and timestamp (de)serializers with pass-throughs, so jsonb parameters and Date
 * values would not round-trip there. `schema` is where Weft's tables are (default public).
 */
export function openRunStorePool(url: string, max: number, schema?: string): postgres.Sql {
  return postgres(url, { ...CONNECTION_OPTIONS, max, ...schemaPoolOptions(schema) });
}

/** A new run id: `run_` and 20 random lowercase characters. */
export function newRunId(): string {
  return newId("run");
}

/** A JSON value for a jsonb parameter (postgres.js types its argument narrowly). */
export function jsonb(sql: postgres.Sql, value: unknown): postgres.Parameter {
  return sql.json((value ?? null) as postgres.JSONValue);
}

/** Serializes a run's log writes so ids are handed out in commit order: a reader that follows
 *  `id > cursor` never skips an entry that commits late. The lock is held until the write commits. */
export function runLogLock(sql: postgres.Sql, runId: string): postgres.PendingQuery<postgres.Row[]> {
  return sql`SELECT pg_advisory_xact_lock(hashtextextended(${"weft:log:" + runId}, 0)) AS locked`;
}

interface RunRow {
  id: string;
  organization_id: string;
  workflow_id: string;
  workflow_version: number;
  trigger: string;
  triggered_by: string | null;
  status: string;
  input: unknown;
  output: Record<string, unknown> | null;
  error: RunError | null;
  ow_run_id: string | null;
  parent_run_id: string | null;
  parent_block_id: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  waiting_on?: { block_id: string; kind: WaitingOn["kind"]; event: string | null; key: string | null; until: string | null } | null;
  queue_position?: number | null;
  children?: (Omit<ChildRun, "status"> & { status: string; waiting: boolean })[] | null;
}

/** A run as the runtime reads it: the resource, plus what only the runtime needs (its openworkflow run, its parent's block). */
export type StoredRun = RunResource & { owRunId: string | null; parentBlockId: string | null };

function stored(row: RunRow): StoredRun {
  return { ...toResource(row), owRunId: row.ow_run_id, parentBlockId: row.parent_block_id ?? null };
}

function toResource(row: RunRow): RunResource {
  const wait = row.status === "running" ? (row.waiting_on ?? null) : null;
  const status = wait ? "waiting" : (row.status as RunStatus);
  const waitingOn: WaitingOn | null = wait
    ? {
        blockId: wait.block_id,
        kind: wait.kind,
        ...(wait.event !== null ? { event: wait.event } : {}),
        ...(wait.key !== null ? { key: wait.key } : {}),
        ...(wait.until !== null ? { until: new Date(wait.until).toISOString() } : {}),
      }
    : null;
  const resource: RunResource = {
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    trigger: row.trigger as RunTrigger,
    triggeredBy: row.triggered_by ?? null,
    parentRunId: row.parent_run_id ?? null,
    status,
    input: row.input,
    output: row.output ?? null,
    error: row.error ?? null,
    waitingOn,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
  if (row.children) {
    resource.children = row.children.map(({ waiting, status: childStatus, ...child }) => ({
      ...child,
      status: childStatus === "running" && waiting ? "waiting" : (childStatus as RunStatus),
    }));
  }
  if (status === "queued" && typeof row.queue_position === "number") resource.queuePosition = row.queue_position;
  return resource;
}

/** The columns every read returns, with "waiting" and the queue position derived. */
function selectRuns(sql: postgres.Sql, options: { children?: boolean } = {}): postgres.PendingQuery<postgres.Row[]> {
  // The children of one run, through runs_parent_item_idx (docs/runs.md, "Child runs").
  const children = options.children
    ? sql`, coalesce((
        SELECT jsonb_agg(jsonb_build_object('runId', c.id, 'workflowId', c.workflow_id, 'status', c.status, 'blockId', c.parent_block_id,
          'itemIndex', c.item_index, 'waiting', EXISTS (SELECT 1 FROM run_waits cw WHERE cw.run_id = c.id AND cw.open))
          ORDER BY c.parent_block_id, c.item_index)
        FROM runs c WHERE c.parent_run_id = r.id AND c.organization_id = r.organization_id
      ), '[]'::jsonb) AS children`
    : sql``;
  return sql`
    SELECT r.id, r.organization_id, r.workflow_id, r.workflow_version, r.trigger, r.triggered_by, r.status, r.input, r.output,
      r.error, r.ow_run_id, r.parent_run_id, r.parent_block_id, r.created_at, r.started_at, r.finished_at ${children},
      CASE WHEN r.status = 'running' THEN (
        SELECT jsonb_build_object('block_id', w.block_id, 'kind', w.kind, 'event', w.event, 'key', w.key, 'until', w.until)
        FROM run_waits w WHERE w.run_id = r.id AND w.open ORDER BY w.created_at, w.block_id LIMIT 1
      ) END AS waiting_on,
      -- The organization's queued runs admitted before this one: its place in the org's queue (db/admission.ts).
      CASE WHEN r.status = 'queued' THEN (
        SELECT count(*)::int FROM runs q
        WHERE q.organization_id = r.organization_id AND q.status = 'queued' AND (q.created_at, q.id) < (r.created_at, r.id)
      ) END AS queue_position
    FROM runs r`;
}

/**
 * A run was not started because what its caller read to start it changed meanwhile (`NewRun.fence`:
 * a cached webhook endpoint or its workflow); nothing was stored. The caller reads again and
 * decides again.
 */
export class RunFenceError extends Error {
  override readonly name = "RunFenceError";
}

/**
 * A condition the run's INSERT checks in its own statement (a boolean SQL expression): the run is
 * stored only if it holds, else `insertRun` throws RunFenceError and stores nothing.
 */
export type RunFence = (sql: postgres.Sql) => postgres.PendingQuery<postgres.Row[]>;

export interface NewRun {
  /** From `newRunId()`. */
  id: string;
  organizationId: string;
  workflowId: string;
  workflowVersion: number;
  definition: WorkflowDefinition;
  trigger: RunTrigger;
  /** Who started it (the actor id of startRun). */
  triggeredBy?: string;
  input: unknown;
  idempotencyKey?: string;
  /** The openworkflow run that executes it: its id, and its INSERT (lib/runtime/openworkflow.ts `weftRunEnqueue`). */
  queue: { owRunId: string; insert: (q: postgres.Sql, source: string) => postgres.PendingQuery<postgres.Row[]> };
  /** NOTIFY this channel with the run id when it commits (wakes idle workers). */
  notify: string;
  /** Stored only if this holds, checked in the same statement (else RunFenceError, nothing stored). */
  fence?: RunFence;
}

/**
 * Stores a queued run and enqueues its openworkflow run in one statement, so a run is never
 * stored without being enqueued (or the reverse), and workers are notified at commit. Its
 * `created_at` is exactly the openworkflow run's (both are `date_trunc('milliseconds', now())` of
 * this statement), so `queuePosition`'s order, (created_at, id), is the order the fair
 * claim admits an organization's queued runs in (db/admission.ts). With an
 * idempotency key, a run of the same workflow holding that key for less than 24 h is returned
 * instead (`created: false`) and nothing is enqueued; an older holder releases the key.
 */
export async function insertRun(sql: postgres.Sql, run: NewRun): Promise<{ run: StoredRun; created: boolean }> {
  const fence = run.fence;
  const insert = (q: postgres.Sql, conflict: boolean) => q<RunRow[]>`
    WITH inserted AS (
      INSERT INTO runs (id, organization_id, workflow_id, workflow_version, definition, trigger, triggered_by, status, input, idempotency_key, ow_run_id, created_at)
      SELECT ${run.id}, ${run.organizationId}, ${run.workflowId}, ${run.workflowVersion}::int, ${jsonb(sql, run.definition)}::jsonb,
        ${run.trigger}, ${run.triggeredBy ?? null}, 'queued', ${jsonb(sql, run.input)}::jsonb, ${run.idempotencyKey ?? null}, ${run.queue.owRunId},
        date_trunc('milliseconds', now())
      ${fence ? q`WHERE ${fence(q)}` : q``}
      ${conflict ? q`ON CONFLICT (organization_id, workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING` : q``}
      RETURNING *
    ), queued AS (
      ${run.queue.insert(q, "inserted")}
    )
    SELECT inserted.*, pg_notify(${run.notify}, inserted.id) FROM inserted, queued`;
  const key = run.idempotencyKey;
  if (!key) {
    const [row] = await insert(sql, false);
    if (!row) throw new RunFenceError("What the run was started from changed; nothing was stored.");
    return { run: stored({ ...row, queue_position: null }), created: true };
  }
  return inTransaction(sql, async (tx) => {
    // Checked first: a caller whose fence fails gets no run, not even one holding its key.
    if (fence) {
      const [check] = await tx<{ holds: boolean }[]>`SELECT coalesce(${fence(tx)}, false) AS holds`;
      if (!check.holds) throw new RunFenceError("What the run was started from changed; nothing was stored.");
    }
    await tx`
      UPDATE runs SET idempotency_key = NULL
      WHERE organization_id = ${run.organizationId} AND workflow_id = ${run.workflowId} AND idempotency_key = ${key}
        AND created_at < now() - interval '24 hours'`;
    const [inserted] = await insert(tx, true);
    if (inserted) return { run: stored(inserted), created: true };
    const [existing] = await tx<RunRow[]>`
      ${selectRuns(tx)}
      WHERE r.organization_id = ${run.organizationId} AND r.workflow_id = ${run.workflowId} AND r.idempotency_key = ${key}`;
    // Nothing inserted and no holder of the key: the fence stopped the INSERT (a change committed since the check).
    if (!existing) throw new RunFenceError("What the run was started from changed; nothing was stored.");
    return { run: stored(existing), created: false };
  });
}

/** The run with its derived status and its child runs, or null when it is not in this organization. */
export async function getRun(sql: postgres.Sql, organizationId: string, runId: string): Promise<StoredRun | null> {
  const [row] = await sql<RunRow[]>`${selectRuns(sql, { children: true })} WHERE r.organization_id = ${organizationId} AND r.id = ${runId}`;
  return row ? stored(row) : null;
}

/**
 * The run's descendants (children, their children…) that are still queued or running, parents
 * before their children: what canceling the run cancels too.
 */
export async function activeDescendants(sql: postgres.Sql, organizationId: string, runId: string): Promise<{ id: string; owRunId: string | null }[]> {
  const rows = await sql<{ id: string; ow_run_id: string | null }[]>`
    WITH RECURSIVE tree AS (
      SELECT c.id, c.ow_run_id, c.status, 1 AS level FROM runs c WHERE c.parent_run_id = ${runId} AND c.organization_id = ${organizationId}
      UNION ALL
      SELECT c.id, c.ow_run_id, c.status, t.level + 1 FROM runs c JOIN tree t ON c.parent_run_id = t.id
      WHERE c.organization_id = ${organizationId} AND t.level < 64
    )
    SELECT id, ow_run_id FROM tree WHERE status IN ('queued', 'running') ORDER BY level, id`;
  return rows.map((row) => ({ id: row.id, owRunId: row.ow_run_id }));
}

/** The definition a run pinned when it started, with the workflow and version it came from; null when not in this organization. */
export async function getRunDefinition(
  db: Database,
  organizationId: string,
  runId: string,
): Promise<{ workflowId: string; workflowVersion: number; definition: WorkflowDefinition } | null> {
  const [row] = await db
    .select({ workflowId: runs.workflowId, workflowVersion: runs.workflowVersion, definition: runs.definition })
    .from(runs)
    .where(and(eq(runs.organizationId, organizationId), eq(runs.id, runId)));
  return row ?? null;
}

/** Whether the run exists in this organization. */
export async function runExists(sql: postgres.Sql, organizationId: string, runId: string): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM runs WHERE organization_id = ${organizationId} AND id = ${runId}`;
  return rows.length > 0;
}

/** One page of the organization's runs, newest first, optionally for one workflow, status, trigger, starter and parent run. */
export async function listRuns(
  sql: postgres.Sql,
  organizationId: string,
  options: PageRequest<CreatedAtCursor> & { workflowId?: string; status?: RunStatus; trigger?: RunTrigger; triggeredBy?: string; parentRunId?: string },
): Promise<Page<RunResource>> {
  const { workflowId, status, trigger, triggeredBy, parentRunId, after } = options;
  const waitingClause = sql`EXISTS (SELECT 1 FROM run_waits w WHERE w.run_id = r.id AND w.open)`;
  const statusClause =
    status === undefined
      ? sql``
      : status === "waiting"
        ? sql`AND r.status = 'running' AND ${waitingClause}`
        : status === "running"
          ? sql`AND r.status = 'running' AND NOT ${waitingClause}`
          : sql`AND r.status = ${status}`;
  const rows = await sql<RunRow[]>`
    ${selectRuns(sql)}
    WHERE r.organization_id = ${organizationId}
      ${workflowId ? sql`AND r.workflow_id = ${workflowId}` : sql``}
      ${trigger ? sql`AND r.trigger = ${trigger}` : sql``}
      ${triggeredBy ? sql`AND r.triggered_by = ${triggeredBy}` : sql``}
      ${parentRunId ? sql`AND r.parent_run_id = ${parentRunId}` : sql``}
      ${statusClause}
      ${after ? sql`AND (r.created_at, r.id) < (${new Date(after.t)}, ${after.id})` : sql``}
    ORDER BY r.created_at DESC, r.id DESC
    LIMIT ${options.limit + 1}`;
  return pageOf(rows, options.limit, (row) => createdAtCursorOf({ createdAt: row.created_at, id: row.id }), toResource);
}

/**
 * Marks a queued or running run canceled, closes its waits (so later events stay stored instead
 * of reaching it) and its parked wait blocks' log entries (`canceled`, with a finish time).
 * Returns false when the run was no longer queued or running. It takes the run log's lock before
 * the run's row, in the order log writes do, so the closed entries get ids in commit order.
 */
export async function markRunCanceled(sql: postgres.Sql, organizationId: string, runId: string): Promise<boolean> {
  const rows = await sql`
    WITH lock AS (${runLogLock(sql, runId)}), canceled AS (
      UPDATE runs SET status = 'canceled', finished_at = now()
      WHERE organization_id = ${organizationId} AND id = ${runId} AND status IN ('queued', 'running')
        AND EXISTS (SELECT 1 FROM lock)
      RETURNING id
    ), closed AS (
      UPDATE run_waits SET open = false WHERE run_id IN (SELECT id FROM canceled) AND open
    ), parked AS (
      UPDATE run_logs SET status = 'canceled', finished_at = now(), id = nextval('run_logs_id_seq'), created_at = now()
      WHERE run_id IN (SELECT id FROM canceled) AND status = 'waiting'
    )
    SELECT pg_notify(${RUN_STATUS_CHANNEL}, id), pg_notify(${RUN_CANCELED_CHANNEL}, id) FROM canceled`;
  return rows.length > 0;
}

/**
 * Writes a run's final status, output and error (the workflow fn calls this once every block has
 * settled). Idempotent: it only changes a queued or running run, so a replay or a cancel that
 * came first wins. Open waits are closed with it.
 */
export async function finishRun(
  sql: postgres.Sql,
  runId: string,
  result: { status: "succeeded" | "failed"; output: Record<string, unknown>; error: RunError | null },
): Promise<void> {
  await sql`
    WITH finished AS (
      UPDATE runs SET status = ${result.status}, output = ${jsonb(sql, result.output)}, error = ${jsonb(sql, result.error)},
        finished_at = now(), started_at = coalesce(started_at, now())
      WHERE id = ${runId} AND status IN ('queued', 'running')
      RETURNING id
    ), closed AS (
      UPDATE run_waits SET open = false WHERE run_id IN (SELECT id FROM finished) AND open
    )
    SELECT pg_notify(${RUN_STATUS_CHANNEL}, id) FROM finished`;
}
