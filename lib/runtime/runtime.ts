/**
 * The web side of the runtime: dispatch, read, cancel, send events, wait. It never executes a
 * block; workers do (lib/runtime/worker.ts). Readers are woken by Postgres NOTIFY on one
 * LISTEN connection per process.
 */
import postgres from "postgres";
import { OpenWorkflow } from "openworkflow";
import type { Logger } from "@/lib/log";
import { CreatedAtCursorSchema, decodeCursor } from "@/lib/store/cursor";
import { storeOrgEvent, storeRunEvent, type Delivery } from "@/lib/store/events";
import { decodeLogCursor, listRunLogs } from "@/lib/store/run-logs";
import { getRun, listRuns, openRunStorePool, runExists, type StoredRun } from "@/lib/store/runs";
import { CONNECTION_OPTIONS, DEFAULT_SCHEMA, openworkflowSchemaOf } from "@/db/client";
import { toJson } from "@/lib/engine/json";
import { RUN_STATUS_CHANNEL } from "@/lib/store/channels";
import { signalBlock, SIGNAL_RETRY_MS } from "./block-signal";
import { cancelDescendants, cancelOneRun } from "./cancel-runs";
import { openWorkflowBackend } from "./openworkflow";
import { createRunQueue } from "./queue";
import { beyondStart, waitForChange } from "./wait-for-change";
import { FINAL_STATUSES, type RunResource } from "@/lib/resources/run";
import type { Runtime } from "./types";

export interface RuntimeOptions {
  /** The runtime opens its own pools on this database: runs, openworkflow, and one LISTEN connection. */
  databaseUrl: string;
  /** The schema of Weft's tables (default public; openworkflow's are beside it). */
  schema?: string;
  logger: Logger;
  /** How often waitForRun re-reads a run without a notification (default 1 s); tests raise it to prove wake-ups are not lost. */
  waitPollMs?: number;
}


type Listener = (hint?: string) => void;

function strip(run: StoredRun): RunResource {
  const { owRunId: _owRunId, parentBlockId: _parentBlockId, ...resource } = run;
  return resource;
}

/** Builds the runtime without waiting for anything (connections open on first use). */
export function openRuntime(options: RuntimeOptions): Runtime & { ready: Promise<void> } {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const sql = openRunStorePool(options.databaseUrl, 10, schema);
  const log = options.logger.child({ component: "runtime" });
  const backend = openWorkflowBackend(options.databaseUrl, 10, undefined, openworkflowSchemaOf(schema));
  const ow = new OpenWorkflow({ backend });
  const queue = createRunQueue(sql, log, schema);
  const listeners = new Map<string, Set<Listener>>();
  const pending = new Set<Promise<void>>();
  let closed = false;

  const notifier = postgres(options.databaseUrl, { ...CONNECTION_OPTIONS, max: 1 });
  const emit = (payload: string) => {
    // `<run id>` or `<run id>:<hint>` (RUN_STATUS_CHANNEL).
    const colon = payload.indexOf(":");
    const runId = colon < 0 ? payload : payload.slice(0, colon);
    const hint = colon < 0 ? undefined : payload.slice(colon + 1);
    for (const listener of listeners.get(runId) ?? []) {
      try {
        listener(hint);
      } catch (error) {
        log.error({ err: error, runId }, "run listener failed");
      }
    }
  };
  const ready = notifier.listen(RUN_STATUS_CHANNEL, emit).then(
    () => undefined,
    (error: unknown) => log.error({ err: error }, "LISTEN failed; run readers fall back to polling"),
  );

  /** Runs `task` in the background; close() waits for it. Failures are logged, never thrown. */
  const track = (task: Promise<unknown>, what: string, context: Record<string, unknown>): Promise<void> => {
    const tracked = task.then(
      () => undefined,
      (error: unknown) => log.warn({ err: error, ...context }, what),
    );
    pending.add(tracked);
    return tracked.finally(() => pending.delete(tracked));
  };

  /** Wakes the runs that were handed events: signal each parked wait, then nudge idle workers. */
  const wake = async (deliveries: Delivery[]): Promise<void> => {
    await Promise.all(
      deliveries.map((d) =>
        track(
          signalBlock(ow, sql, d, { data: { eventId: d.eventId }, idempotencyKey: d.eventId, retryMs: SIGNAL_RETRY_MS, stopped: () => closed }),
          // The event is stored and handed over: the run's own re-check finds it at its next heartbeat.
          "could not signal the waiting run",
          { runId: d.runId, eventId: d.eventId },
        ),
      ),
    );
  };

  const runtime: Runtime & { ready: Promise<void> } = {
    ready,
    schema,

    dispatch: queue.dispatch,

    async getRun(organizationId, runId) {
      const run = await getRun(sql, organizationId, runId);
      return run ? strip(run) : null;
    },

    async listRuns(organizationId, { after, ...filters }) {
      const cursor = after === undefined ? null : decodeCursor(after, CreatedAtCursorSchema);
      if (after !== undefined && cursor === null) return "invalid_cursor";
      return listRuns(sql, organizationId, { ...filters, after: cursor });
    },

    async listLogs(organizationId, runId, { after, limit }) {
      const position = after === undefined ? null : decodeLogCursor(after);
      if (after !== undefined && position === null) return "invalid_cursor";
      if (!(await runExists(sql, organizationId, runId))) return null;
      return listRunLogs(sql, runId, { after: position, limit });
    },

    async cancel(organizationId, runId) {
      const run = await getRun(sql, organizationId, runId);
      if (!run) return null;
      if (run.status === "succeeded" || run.status === "failed") return "run_finished";
      if (run.status !== "canceled") await cancelOneRun(ow, sql, organizationId, run, log);
      const latest = (await getRun(sql, organizationId, runId)) ?? run;
      if (latest.status === "succeeded" || latest.status === "failed") return "run_finished";
      // Again on a repeated cancel: it finishes what an interrupted cascade left.
      await cancelDescendants(ow, sql, organizationId, runId, log);
      if (run.status !== "canceled" && latest.parentRunId && latest.parentBlockId) {
        // The parent's call_workflow block reads its children's statuses again and fails with this one's.
        const parent = { runId: latest.parentRunId, blockId: latest.parentBlockId };
        void track(
          signalBlock(ow, sql, parent, { data: { childRunId: runId }, idempotencyKey: `child:${runId}`, retryMs: SIGNAL_RETRY_MS, stopped: () => closed }),
          "could not signal the parent of a canceled child run",
          { runId, parentRunId: parent.runId },
        );
      }
      return strip(await getRun(sql, organizationId, runId) ?? latest);
    },

    async sendRunEvent(organizationId, runId, { event, data }) {
      if (!(await runExists(sql, organizationId, runId))) return null;
      const { eventId, delivery } = await storeRunEvent(sql, organizationId, runId, { event, data: toJson(data) });
      if (delivery) await wake([delivery]);
      return { eventId, delivered: delivery !== null };
    },

    async sendOrgEvent(organizationId, { event, key, data }) {
      const { eventId, deliveries } = await storeOrgEvent(sql, organizationId, { event, key, data: toJson(data) });
      await wake(deliveries);
      return { eventId, deliveredTo: deliveries.map((d) => d.runId) };
    },

    async waitForRun(organizationId, runId, timeoutMs, { untilWaiting = false } = {}) {
      // Reads through `runtime.getRun`, so a test can slow the read on this object.
      return waitForChange({
        runId,
        subscribe: runtime.subscribe,
        read: () => runtime.getRun(organizationId, runId),
        // A run waiting on its children (call_workflow) moves on by itself: keep waiting for it.
        done: (run) =>
          !run || FINAL_STATUSES.has(run.status) || (untilWaiting && run.status === "waiting" && run.waitingOn?.kind !== "children"),
        timeoutMs,
        pollMs: options.waitPollMs,
        // A run starting is neither final nor waiting.
        wakes: beyondStart,
      });
    },

    subscribe(runId, listener) {
      let set = listeners.get(runId);
      if (!set) listeners.set(runId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(runId) === set) listeners.delete(runId);
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...pending]);
      await Promise.allSettled([notifier.end({ timeout: 2 }), backend.stop(), sql.end({ timeout: 5 })]);
    },
  };
  return runtime;
}

/** Builds the runtime and waits until it listens for run changes. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const runtime = openRuntime(options);
  await runtime.ready;
  return runtime;
}
