"use client";

/**
 * The run the canvas draws: the newest run of the workflow (or the one just started from the
 * editor), its per-block status, input, output and error from the run's log, refreshed every
 * second while it is not finished.
 */
import { useQuery } from "@tanstack/react-query";
import { api, read } from "@/app/_ui/api";

const FINISHED = new Set(["succeeded", "failed", "canceled"]);
const MAX_LOG_PAGES = 10;

export interface BlockRun {
  status: string;
  input: unknown;
  output: unknown;
  error: unknown;
  messages: { level: string; message: string; at: string }[];
  durationMs: number | null;
}

export interface LastRun {
  id: string;
  status: string;
  workflowVersion: number;
  createdAt: string;
  output: Record<string, unknown> | null;
  error: { message: string; blockId?: string } | null;
  blocks: Record<string, BlockRun>;
}

async function fetchRun(runId: string): Promise<LastRun> {
  const run = await read(await api.api.runs[":runId"].$get({ param: { runId } }));
  const blocks: Record<string, BlockRun> = {};
  let after: string | undefined;
  for (let page = 0; page < MAX_LOG_PAGES; page++) {
    const logs = await read(await api.api.runs[":runId"].logs.$get({ param: { runId }, query: { limit: "100", ...(after ? { after } : {}) } }));
    // Later attempts of a block come later in the log: the last entry wins.
    for (const entry of logs.data) {
      blocks[entry.blockId] = { status: entry.status, input: entry.input, output: entry.output, error: entry.error, messages: entry.messages, durationMs: entry.durationMs };
    }
    if (!logs.nextCursor) break;
    after = logs.nextCursor;
  }
  return {
    id: run.id,
    status: run.status,
    workflowVersion: run.workflowVersion,
    createdAt: run.createdAt,
    output: (run.output as Record<string, unknown> | null) ?? null,
    error: run.error ?? null,
    blocks,
  };
}

/** The run to draw: `runId` when given, else the workflow's newest run (null when it never ran). */
export function useLastRun(workflowId: string, runId: string | null) {
  const newest = useQuery({
    queryKey: ["workflow-last-run-id", workflowId],
    queryFn: async () => {
      const page = await read(await api.api.runs.$get({ query: { workflowId, limit: "1" } }));
      return page.data[0]?.id ?? null;
    },
    enabled: runId === null,
  });
  const id = runId ?? newest.data ?? null;
  return useQuery({
    queryKey: ["editor-run", id],
    queryFn: () => fetchRun(id!),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data && FINISHED.has(query.state.data.status) ? false : 1_000),
  });
}
