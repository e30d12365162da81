/**
 * `/api/runs` (docs/runs.md): list and read runs, page through their logs, follow them live over
 * Server-Sent Events, cancel them and send them events. Every route is organization-scoped: the
 * use-cases answer `not_found` for another organization's run, which is 404 here.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import type { AppEnv, ApiDeps } from "../context";
import { unwrap } from "../errors";
import { actorOf, errorResponses, json } from "../http";
import { createRouter } from "../router";
import {
  ListRunsQuerySchema,
  LogsQuerySchema,
  RunEventBodySchema,
  RunDefinitionSchema,
  RunEventResultSchema,
  RunIdParamsSchema,
  RunListSchema,
  RunLogListSchema,
  RunSchema,
} from "../run-schemas";
import { FINAL_STATUSES, type RunLogEntry, type RunResource } from "@/lib/resources/run";
import { cancelRun, getRun, getRunDefinition, listRunLogs, listRuns, sendRunEvent, watchRun, type RunDeps } from "@/lib/runs/runs";
import type { Actor } from "@/lib/workflows/outcome";

const TAGS = ["runs"];

/**
 * Timing of `GET /runs/:runId/stream`: how often it reads the run again when no change
 * notification woke it (notifications are best effort), and how often it sends a `: ping`
 * comment. Tests shorten these; nothing else should change them.
 */
export const streamTiming = { pollMs: 250, heartbeatMs: 15_000 };

/** Log entries read per query while catching up. */
const STREAM_PAGE = 500;

const listRunsRoute = createRoute({
  method: "get",
  path: "/",
  tags: TAGS,
  summary: "List runs, newest first",
  request: { query: ListRunsQuerySchema },
  responses: { 200: { description: "A page of runs", content: json(RunListSchema) }, ...errorResponses(400) },
});

const getRunRoute = createRoute({
  method: "get",
  path: "/{runId}",
  tags: TAGS,
  summary: "Read a run",
  request: { params: RunIdParamsSchema },
  responses: { 200: { description: "The run", content: json(RunSchema) }, ...errorResponses(400, 404) },
});

const definitionRoute = createRoute({
  method: "get",
  path: "/{runId}/definition",
  tags: TAGS,
  summary: "The definition a run pinned when it started",
  description: "What the run executes, whatever the workflow became since (also for a deleted workflow).",
  request: { params: RunIdParamsSchema },
  responses: { 200: { description: "The pinned definition", content: json(RunDefinitionSchema) }, ...errorResponses(400, 404) },
});

const logsRoute = createRoute({
  method: "get",
  path: "/{runId}/logs",
  tags: TAGS,
  summary: "Page through a run's log, oldest first",
  description: "One entry per block attempt (and per skipped block). Pass nextCursor back as `after`; a bad one → 400 invalid_cursor.",
  request: { params: RunIdParamsSchema, query: LogsQuerySchema },
  responses: { 200: { description: "A page of log entries", content: json(RunLogListSchema) }, ...errorResponses(400, 404) },
});

const streamRoute = createRoute({
  method: "get",
  path: "/{runId}/stream",
  tags: TAGS,
  summary: "Follow a run live (Server-Sent Events)",
  description:
    "`log` events (id: the entry's cursor, data: the entry), `status` events (data: the run) on each status change, a `: ping` comment every 15 s. Send Last-Event-ID to resume after an entry. Closes after the final status.",
  request: { params: RunIdParamsSchema },
  parameters: [
    {
      name: "Last-Event-ID",
      in: "header" as const,
      required: false,
      description: "Resume: only entries after this cursor are sent (a bad one → 400 invalid_cursor)",
      schema: { type: "string" as const },
    },
  ],
  responses: {
    200: { description: "An event stream", content: { "text/event-stream": { schema: z.string() } } },
    ...errorResponses(400, 404),
  },
});

const cancelRoute = createRoute({
  method: "post",
  path: "/{runId}/cancel",
  tags: TAGS,
  summary: "Cancel a run",
  description: "A queued, running or waiting run is canceled at once; a canceled one is left as it is. A succeeded or failed run → 409 run_finished.",
  request: { params: RunIdParamsSchema },
  responses: { 200: { description: "The run, canceled", content: json(RunSchema) }, ...errorResponses(400, 404, 409) },
});

const runEventRoute = createRoute({
  method: "post",
  path: "/{runId}/events",
  tags: TAGS,
  summary: "Send an event to one run",
  description: "Wakes this run's wait_for_event block waiting on `event` (no other run). Stored until such a wait consumes it.",
  request: { params: RunIdParamsSchema, body: { content: json(RunEventBodySchema), required: true } },
  responses: { 202: { description: "Accepted", content: json(RunEventResultSchema) }, ...errorResponses(400, 404, 413, 415) },
});

/** The runs sub-app: thin adapters over the run use-cases (lib/runs/runs.ts). */
export function runRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(listRunsRoute, async (c) => {
      return c.json(unwrap(await listRuns(deps, actorOf(c), c.req.valid("query"))), 200);
    })
    .openapi(getRunRoute, async (c) => {
      return c.json(unwrap(await getRun(deps, actorOf(c), c.req.valid("param").runId)), 200);
    })
    .openapi(definitionRoute, async (c) => {
      return c.json(unwrap(await getRunDefinition(deps, actorOf(c), c.req.valid("param").runId)), 200);
    })
    .openapi(logsRoute, async (c) => {
      const { after, limit } = c.req.valid("query");
      return c.json(unwrap(await listRunLogs(deps, actorOf(c), c.req.valid("param").runId, { after, limit })), 200);
    })
    .openapi(streamRoute, async (c) => {
      const actor = actorOf(c);
      const { runId } = c.req.valid("param");
      // Armed before the first read, so a change while it is in flight is not lost (docs/runs.md).
      const watch = watchStream(deps, runId);
      try {
        const run = unwrap(await getRun(deps, actor, runId));
        // The first page is read before the stream starts, so a bad Last-Event-ID is a plain 400.
        const lastEventId = c.req.header("last-event-id")?.trim() || undefined;
        const first = unwrap(await listRunLogs(deps, actor, runId, { after: lastEventId, limit: STREAM_PAGE }));
        return streamSSE(c, (stream) => followRun(c, stream, deps, { actor, run, first, after: lastEventId, watch }));
      } catch (error) {
        watch.stop();
        throw error;
      }
    })
    .openapi(cancelRoute, async (c) => {
      return c.json(unwrap(await cancelRun(deps, actorOf(c), c.req.valid("param").runId)), 200);
    })
    .openapi(runEventRoute, async (c) => {
      const { event, data } = c.req.valid("json");
      return c.json(unwrap(await sendRunEvent(deps, actorOf(c), c.req.valid("param").runId, { event, data })), 202);
    });
}

type LogPage = { data: RunLogEntry[]; nextCursor: string | null };

/** A stream's view of the run's notifications: each one sets `changed` (and wakes a pause) until the stream reads
 *  again; `aborted` once the client went away. */
interface StreamWatch {
  changed: boolean;
  aborted: boolean;
  wake: (() => void) | null;
  stop: () => void;
}

function watchStream(deps: RunDeps, runId: string): StreamWatch {
  const watch: StreamWatch = { changed: false, aborted: false, wake: null, stop: () => {} };
  watch.stop = watchRun(deps, runId, () => {
    watch.changed = true;
    watch.wake?.();
  });
  return watch;
}

/**
 * Writes the run's log entries and status changes until the run reaches a final status (remaining
 * entries first, then that status) or the client goes away. Each round reads the status before
 * the entries, so a final status is only sent after every entry written before it. A round starts
 * when the runtime signals a change, or after `pollMs` at the latest.
 */
async function followRun(
  c: Context<AppEnv>,
  stream: SSEStreamingApi,
  deps: RunDeps,
  start: { actor: Actor; run: RunResource; first: LogPage; after: string | undefined; watch: StreamWatch },
): Promise<void> {
  const { actor } = start;
  const runId = start.run.id;
  const signal = start.watch;
  const abort = () => {
    signal.aborted = true;
    signal.wake?.();
  };
  // Hono aborts the stream when the response body is canceled; some servers only abort the request.
  stream.onAbort(abort);
  c.req.raw.signal.addEventListener("abort", abort, { once: true });
  /** Waits `ms`, or less when a change was signalled meanwhile. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (signal.changed || signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.wake = null;
        resolve();
      }
      signal.wake = done;
    });
  const heartbeat = setInterval(() => void stream.write(": ping\n\n"), streamTiming.heartbeatMs);

  let run: RunResource | null = start.run;
  let page: LogPage | null = start.first;
  let after = start.after;
  let lastStatus: string | null = null;
  try {
    while (!signal.aborted && run && page) {
      for (;;) {
        for (const entry of page.data) {
          await stream.writeSSE({ event: "log", id: entry.id, data: JSON.stringify(entry) });
          after = entry.id;
        }
        if (page.nextCursor === null || page.data.length === 0 || signal.aborted) break;
        const next = await listRunLogs(deps, actor, runId, { after, limit: STREAM_PAGE });
        if (!next.ok) return;
        page = next.value;
      }
      if (run.status !== lastStatus) {
        await stream.writeSSE({ event: "status", data: JSON.stringify(run) });
        lastStatus = run.status;
      }
      if (FINAL_STATUSES.has(run.status)) return;
      await pause(streamTiming.pollMs);
      if (signal.aborted) return;
      signal.changed = false;
      const latest = await getRun(deps, actor, runId);
      run = latest.ok ? latest.value : null;
      const next = run ? await listRunLogs(deps, actor, runId, { after, limit: STREAM_PAGE }) : null;
      page = next?.ok ? next.value : null;
    }
  } catch (error) {
    c.get("log").error({ err: error, runId }, "run stream failed");
  } finally {
    clearInterval(heartbeat);
    signal.stop();
  }
}
