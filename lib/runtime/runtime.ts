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
import { getRun, listRuns, markRunCanceled, openRunStorePool, runExists } from "@/lib/store/runs";
import { CONNECTION_OPTIONS, DEFAULT_SCHEMA, openworkflowSchemaOf } from "@/db/client";
import { toJson } from "@/lib/engine/json";
import { blockSignal, RUN_STATUS_CHANNEL, RUNS_CHANNEL } from "@/lib/store/channels";
import { openWorkflowBackend } from "./openworkflow";
import { createRunQueue } from "./queue";
import { waitForChange } from "./wait-for-change";
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

/** How long a sender keeps re-sending a wake-up signal while the run has not parked yet. */
const SIGNAL_RETRY_MS = 5_000;
const SIGNAL_RETRY_INTERVAL_MS = 50;

type Listener = () => void;

function strip<T extends RunResource & { owRunId?: string | null }>(run: T): RunResource {
  const { owRunId: _owRunId, ...resource } = run;
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
  const emit = (runId: string) => {
    for (const listener of listeners.get(runId) ?? []) {
      try {
        listener();
      } catch (error) {
        log.error({ err: error, runId }, "run listener failed");
      }
    }
  };
  const ready = notifier.listen(RUN_STATUS_CHANNEL, emit).then(
    () => undefined,
    (error: unknown) => log.error({ err: error }, "LISTEN failed; run readers fall back to polling"),
  );

  /** Wakes the runs that were handed events: signal each parked wait, then nudge idle workers. */
  const wake = async (deliveries: Delivery[]): Promise<void> => {
    const send = async (d: Delivery): Promise<void> => {
      const signal = { signal: blockSignal(d.runId, d.blockId), data: { eventId: d.eventId }, idempotencyKey: d.eventId };
      const deadline = Date.now() + SIGNAL_RETRY_MS;
      // Empty while the run is between registering its wait and parking on it (docs/openworkflow.md, "Step names, timers and signals").
      for (;;) {
        const sent = await ow.sendSignal(signal);
        if (sent.workflowRunIds.length > 0 || Date.now() >= deadline || closed) break;
        await new Promise((res) => setTimeout(res, SIGNAL_RETRY_INTERVAL_MS));
      }
      await sql`SELECT pg_notify(${RUNS_CHANNEL}, ${d.runId}), pg_notify(${RUN_STATUS_CHANNEL}, ${d.runId})`;
    };
    await Promise.all(
      deliveries.map((d) => {
        const task = send(d).catch((error: unknown) => {
          // The event is stored and handed over: the run's own re-check finds it at its next heartbeat.
          log.warn({ err: error, runId: d.runId, eventId: d.eventId }, "could not signal the waiting run");
        });
        pending.add(task);
        return task.finally(() => pending.delete(task));
      }),
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
      if (run.status === "canceled") return strip(run);
      if (run.status === "succeeded" || run.status === "failed") return "run_finished";
      if (run.owRunId) {
        // Throws when openworkflow already finished it; our row then says how it ended.
        await ow.cancelWorkflowRun(run.owRunId).catch((error: unknown) => log.debug({ err: error, runId }, "openworkflow cancel"));
      }
      await markRunCanceled(sql, organizationId, runId);
      const latest = (await getRun(sql, organizationId, runId)) ?? run;
      if (latest.status === "succeeded" || latest.status === "failed") return "run_finished";
      return strip(latest);
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
        done: (run) => !run || FINAL_STATUSES.has(run.status) || (untilWaiting && run.status === "waiting"),
        timeoutMs,
        pollMs: options.waitPollMs,
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
