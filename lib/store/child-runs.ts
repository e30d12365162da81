/**
 * Child runs (docs/runs.md, "Child runs"): the runs a call_workflow block starts, and the wait
 * its block parks in until they finish. A child is keyed by (parent run, block, item index)
 * (`runs_parent_item_idx`), so a step that starts children and runs again after a crash finds
 * them instead of starting them twice.
 */
import type postgres from "postgres";
import type { WorkflowDefinition } from "@/lib/engine/model";
import type { RunError } from "@/lib/resources/run";
import { RUN_STATUS_CHANNEL } from "./channels";
import { jsonb, type NewRun } from "./runs";

/** A child run to store and enqueue, unless its item already has one. */
export interface NewChildRun {
  /** From `newRunId()`. */
  id: string;
  organizationId: string;
  parentRunId: string;
  parentBlockId: string;
  itemIndex: number;
  workflowId: string;
  workflowVersion: number;
  definition: WorkflowDefinition;
  input: unknown;
  queue: NewRun["queue"];
  notify: string;
}

/**
 * Stores and enqueues a child run in one statement, as `insertRun` does a run, with trigger
 * `workflow`, `triggered_by` `run:<parent>` and its parent's depth + 1. Nothing is stored when
 * the item already has a child (a step that ran again), or when the parent is no longer queued
 * or running: the parent's row is read `FOR SHARE`, so a cancel of the parent either commits
 * first (and no child starts) or waits for this insert (and then cancels the child it finds).
 * Returns whether a child was stored.
 */
export async function insertChildRun(sql: postgres.Sql, child: NewChildRun): Promise<boolean> {
  const rows = await sql`
    WITH parent AS (
      SELECT id, depth FROM runs
      WHERE id = ${child.parentRunId} AND organization_id = ${child.organizationId} AND status IN ('queued', 'running')
      FOR SHARE
    ), inserted AS (
      INSERT INTO runs (id, organization_id, workflow_id, workflow_version, definition, trigger, triggered_by, status, input, ow_run_id,
        parent_run_id, parent_block_id, item_index, depth, created_at)
      SELECT ${child.id}, ${child.organizationId}, ${child.workflowId}, ${child.workflowVersion}, ${jsonb(sql, child.definition)},
        'workflow', 'run:' || parent.id, 'queued', ${jsonb(sql, child.input)}, ${child.queue.owRunId},
        parent.id, ${child.parentBlockId}, ${child.itemIndex}, parent.depth + 1, date_trunc('milliseconds', now())
      FROM parent
      ON CONFLICT (parent_run_id, parent_block_id, item_index) WHERE parent_run_id IS NOT NULL DO NOTHING
      RETURNING *
    ), queued AS (
      ${child.queue.insert(sql, "inserted")}
    )
    SELECT inserted.id, pg_notify(${child.notify}, inserted.id) FROM inserted, queued`;
  return rows.length > 0;
}

/** A child run as its parent's block sees it. */
export interface ChildRunState {
  itemIndex: number;
  runId: string;
  /** queued, running, succeeded, failed or canceled (waiting is running here). */
  status: "queued" | "running" | "succeeded" | "failed" | "canceled";
  output: Record<string, unknown> | null;
  error: RunError | null;
}

/** Every child a block of a run has started, in item order. */
export async function readChildRuns(sql: postgres.Sql, parentRunId: string, parentBlockId: string): Promise<ChildRunState[]> {
  const rows = await sql<{ item_index: number; id: string; status: ChildRunState["status"]; output: Record<string, unknown> | null; error: RunError | null }[]>`
    SELECT item_index, id, status, output, error FROM runs
    WHERE parent_run_id = ${parentRunId} AND parent_block_id = ${parentBlockId}
    ORDER BY item_index`;
  return rows.map((row) => ({ itemIndex: row.item_index, runId: row.id, status: row.status, output: row.output ?? null, error: row.error ?? null }));
}

/** How many call_workflow calls deep the run is (0 when nothing called it, or when it is not found). */
export async function runDepth(sql: postgres.Sql, runId: string): Promise<number> {
  const [row] = await sql<{ depth: number }[]>`SELECT depth FROM runs WHERE id = ${runId}`;
  return row?.depth ?? 0;
}

/** Opens (or re-opens) a children wait, so the run reads "waiting" on the block until its children finish. */
export async function openChildrenWait(sql: postgres.Sql, wait: { organizationId: string; runId: string; blockId: string }): Promise<void> {
  await sql`
    WITH opened AS (
      INSERT INTO run_waits (run_id, block_id, organization_id, kind, open, settled_seen, checked_at)
      VALUES (${wait.runId}, ${wait.blockId}, ${wait.organizationId}, 'children', true, 0, now())
      ON CONFLICT (run_id, block_id) DO UPDATE SET open = true
      RETURNING run_id
    )
    SELECT pg_notify(${RUN_STATUS_CHANNEL}, run_id) FROM opened`;
}

/** Records what a check of a children wait saw: how many children had finished. */
export async function recordChildrenCheck(sql: postgres.Sql, runId: string, blockId: string, settledSeen: number): Promise<void> {
  await sql`UPDATE run_waits SET settled_seen = ${settledSeen}, checked_at = now() WHERE run_id = ${runId} AND block_id = ${blockId} AND open`;
}

/**
 * Open children waits that have not seen a child that finished: their last check was more than
 * `quietMs` ago and counted fewer finished children than there are now. Their wake-up signal was
 * lost (lib/runtime/children-watch.ts sends it again).
 */
export async function staleChildrenWaits(sql: postgres.Sql, quietMs: number, limit: number): Promise<{ runId: string; blockId: string }[]> {
  const rows = await sql<{ run_id: string; block_id: string }[]>`
    SELECT w.run_id, w.block_id FROM run_waits w
    WHERE w.kind = 'children' AND w.open AND w.checked_at < now() - make_interval(secs => ${quietMs / 1000})
      AND (SELECT count(*) FROM runs c
           WHERE c.parent_run_id = w.run_id AND c.parent_block_id = w.block_id AND c.status IN ('succeeded', 'failed', 'canceled')) > coalesce(w.settled_seen, 0)
    ORDER BY w.checked_at
    LIMIT ${limit}`;
  return rows.map((row) => ({ runId: row.run_id, blockId: row.block_id }));
}
