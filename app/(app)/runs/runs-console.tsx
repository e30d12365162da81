"use client";

/**
 * The runs console: every run of the organization (or of one workflow when `workflowId` is given),
 * newest first, filtered by workflow, status and trigger (kept in the URL), paged with a cursor
 * stack, and refreshed every 2 s so new runs and status changes show up without a reload.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight, Play, SearchX } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useMemo, useState } from "react";
import { api, read } from "@/app/_ui/api";
import { Button, buttonClass } from "@/app/_ui/button";
import { cn } from "@/app/_ui/cn";
import { EmptyState, ErrorState, TableSkeleton } from "@/app/_ui/states";
import { RunsFilters, type RunFilters } from "./runs-filters";
import { RunsTable } from "./runs-table";
import { RUN_STATUSES, RUN_TRIGGERS, type RunStatus, type RunTrigger } from "./run-words";
import { useWorkflowNames } from "./workflow-names";

const PAGE_SIZE = "25";
const LIVE_MS = 2_000;

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.includes(value as T) ? (value as T) : undefined;
}

/** The console; embeddable in any page (it brings its own Suspense boundary for the URL's filters). */
export function RunsConsole({ workflowId }: { workflowId?: string }) {
  return (
    <Suspense fallback={<TableSkeleton rows={6} label="Loading runs" />}>
      <Console workflowId={workflowId} />
    </Suspense>
  );
}

function Console({ workflowId: fixedWorkflowId }: { workflowId?: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters: RunFilters = {
    workflowId: fixedWorkflowId ?? (searchParams.get("workflowId") || undefined),
    status: pick<RunStatus>(searchParams.get("status"), RUN_STATUSES),
    trigger: pick<RunTrigger>(searchParams.get("trigger"), RUN_TRIGGERS),
  };
  const filterKey = `${filters.workflowId ?? ""}|${filters.status ?? ""}|${filters.trigger ?? ""}`;
  const filtered = Boolean((!fixedWorkflowId && filters.workflowId) || filters.status || filters.trigger);

  // Previous pages' cursors; the last one is the page shown. A new filter starts again at page 1.
  const [pages, setPages] = useState<{ key: string; cursors: string[] }>({ key: filterKey, cursors: [] });
  const cursors = pages.key === filterKey ? pages.cursors : [];
  const cursor = cursors.at(-1);

  const runs = useQuery({
    queryKey: ["runs", { ...filters, cursor }],
    queryFn: async () =>
      read(await api.api.runs.$get({ query: { workflowId: filters.workflowId, status: filters.status, trigger: filters.trigger, cursor, limit: PAGE_SIZE } })),
    refetchInterval: LIVE_MS,
    placeholderData: keepPreviousData,
  });
  const names = useWorkflowNames(useMemo(() => runs.data?.data.map((r) => r.workflowId) ?? [], [runs.data]));

  function setFilters(next: RunFilters) {
    const params = new URLSearchParams(searchParams.toString());
    for (const key of ["workflowId", "status", "trigger"] as const) {
      if (key === "workflowId" && fixedWorkflowId) continue;
      if (next[key]) params.set(key, next[key]);
      else params.delete(key);
    }
    const query = params.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  const data = runs.data?.data;
  return (
    <section aria-label="Runs" className="space-y-3">
      <RunsFilters filters={filters} onChange={setFilters} showWorkflow={!fixedWorkflowId} filtered={filtered} workflows={names} />
      {runs.isPending ? (
        <TableSkeleton rows={6} label="Loading runs" />
      ) : runs.isError && !data ? (
        <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />
      ) : data && data.length === 0 && cursors.length === 0 ? (
        filtered ? (
          <EmptyState icon={<SearchX className="size-8" aria-hidden />} title="No runs match these filters" action={<Button onClick={() => setFilters({})}>Clear filters</Button>}>
            Try another status or trigger, or clear the filters to see every run.
          </EmptyState>
        ) : (
          <EmptyState
            icon={<Play className="size-8" aria-hidden />}
            title={fixedWorkflowId ? "This workflow has not run yet" : "No runs yet"}
            action={
              fixedWorkflowId ? undefined : (
                <Link href="/workflows" className={buttonClass("primary")}>
                  Go to your workflows
                </Link>
              )
            }
          >
            Runs appear here when a workflow runs — start one from a workflow&apos;s page, through the API, a webhook or a schedule.
          </EmptyState>
        )
      ) : (
        <>
          <div className={runs.isPlaceholderData ? "opacity-60 transition-opacity" : undefined}>
            <RunsTable runs={data ?? []} names={names} showWorkflow={!fixedWorkflowId} />
          </div>
          <nav aria-label="Pages of runs" className="flex items-center justify-between gap-3">
            <p className="inline-flex items-center gap-1.5 text-xs text-stone-500" title="The list refreshes every 2 seconds">
              <span aria-hidden className={cn("size-2 rounded-full", runs.isError ? "bg-amber-500" : "animate-pulse bg-green-500")} />
              {runs.isError ? "Updates paused: the last refresh failed" : "Live"} · {cursors.length > 0 ? `page ${cursors.length + 1}` : "newest first"}
            </p>
            <div className="flex gap-2">
              <Button size="sm" disabled={cursors.length === 0} onClick={() => setPages({ key: filterKey, cursors: cursors.slice(0, -1) })}>
                <ChevronLeft className="size-3.5" aria-hidden /> Previous
              </Button>
              <Button
                size="sm"
                disabled={!runs.data?.nextCursor}
                onClick={() => runs.data?.nextCursor && setPages({ key: filterKey, cursors: [...cursors, runs.data.nextCursor] })}
              >
                Next <ChevronRight className="size-3.5" aria-hidden />
              </Button>
            </div>
          </nav>
        </>
      )}
    </section>
  );
}
