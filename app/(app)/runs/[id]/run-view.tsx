"use client";

/**
 * The run page: header and actions, the pinned workflow drawn with each block's latest status,
 * and the timeline of block attempts, followed live until the run ends.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { notFound } from "next/navigation";
import { useCallback, useMemo, useRef, useState } from "react";
import { api, isNotFound, read } from "@/app/_ui/api";
import { JsonView } from "@/app/_ui/json-view";
import { ErrorState, Skeleton } from "@/app/_ui/states";
import { isFinal, useNow, type RunLogEntry, type RunResource } from "../run-words";
import type { WaitingEvent } from "./run-actions";
import { RunCanvas } from "./run-canvas";
import { RunHeader } from "./run-header";
import { TimelineCard } from "./timeline-card";
import type { BlockFocus } from "./timeline";
import { useRunLog } from "./use-run-log";

export function RunView({ runId }: { runId: string }) {
  const queryClient = useQueryClient();
  const run = useQuery({
    queryKey: ["run", runId],
    queryFn: async () => read(await api.api.runs[":runId"].$get({ param: { runId } })),
    // Status changes come from the stream; a queued run's position in the queue does not.
    refetchInterval: (query) => (query.state.data?.status === "queued" ? 3_000 : false),
  });
  const definition = useQuery({
    queryKey: ["run", runId, "definition"],
    queryFn: async () => read(await api.api.runs[":runId"].definition.$get({ param: { runId } })),
    enabled: run.isSuccess,
    staleTime: Infinity,
  });
  const workflowId = run.data?.workflowId;
  const workflow = useQuery({
    queryKey: ["workflow", workflowId],
    queryFn: async () => read(await api.api.workflows[":id"].$get({ param: { id: workflowId! } })),
    enabled: Boolean(workflowId),
    retry: false,
    staleTime: 60_000,
  });
  const onRun = useCallback((latest: RunResource) => queryClient.setQueryData(["run", runId], latest), [queryClient, runId]);
  const log = useRunLog(run.data, onRun);
  const now = useNow(run.data ? !isFinal(run.data.status) : false);
  const [focus, setFocus] = useState<BlockFocus | null>(null);
  const showBlock = useCallback((blockId: string) => setFocus((f) => ({ blockId, n: (f?.n ?? 0) + 1 })), []);

  const statuses = useStableStatuses(log.entries);

  if (isNotFound(run.error)) notFound();
  if (run.isError) return <ErrorState error={run.error} onRetry={() => void run.refetch()} />;
  if (!run.data) return <RunSkeleton />;

  const current = run.data;
  const workflowName = workflow.data ? workflow.data.name : isNotFound(workflow.error) ? "deleted" : null;
  return (
    <div className="space-y-6">
      <RunHeader run={current} workflowName={workflowName} waitingEvent={waitingEventOf(current, log.entries)} now={now} onShowBlock={showBlock} />
      <RunCanvas
        version={current.workflowVersion}
        definition={definition.data?.definition}
        error={definition.error}
        onRetry={() => void definition.refetch()}
        statuses={statuses}
        onSelectBlock={showBlock}
      />
      <TimelineCard run={current} log={log} now={now} focus={focus} />
      <section aria-label="Input and output" className="grid gap-3 lg:grid-cols-2">
        <JsonView title="Run input" value={current.input ?? null} defaultOpen={false} />
        <JsonView title="Run output" value={current.output} defaultOpen={false} />
      </section>
    </div>
  );
}

/** Each block's latest status; the same object while nothing changed, so the canvas is not redrawn for every new entry. */
function useStableStatuses(entries: RunLogEntry[]): Record<string, string> {
  const previous = useRef<Record<string, string>>({});
  return useMemo(() => {
    const latest: Record<string, string> = {};
    for (const entry of entries) latest[entry.blockId] = entry.status;
    const before = previous.current;
    const same = Object.keys(latest).length === Object.keys(before).length && Object.entries(latest).every(([id, status]) => before[id] === status);
    if (!same) previous.current = latest;
    return previous.current;
  }, [entries]);
}

/** The wait_for_event block the run waits in, with the event name it resolved (from its waiting entry's input). */
function waitingEventOf(run: RunResource, entries: RunLogEntry[]): WaitingEvent | null {
  if (run.status !== "waiting") return null;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry.blockType !== "wait_for_event" || entry.status !== "waiting") continue;
    const input = entry.input as { event?: unknown } | null;
    return { blockId: entry.blockId, event: typeof input?.event === "string" ? input.event : "" };
  }
  return null;
}

function RunSkeleton() {
  return (
    <div role="status" aria-label="Loading the run" className="space-y-6">
      <Skeleton className="h-4 w-40" />
      <Skeleton className="h-8 w-72" />
      <Skeleton className="h-16 w-full" />
      <Skeleton className="h-64 w-full" />
      <Skeleton className="h-48 w-full" />
    </div>
  );
}
