"use client";

import { AlertTriangle, ChevronRight, Hourglass } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { IdBadge } from "@/app/_ui/copy";
import { StatusPill } from "@/app/_ui/status";
import { formatDuration, RelativeTime } from "@/app/_ui/time";
import { TriggerText } from "../runs-table";
import { runDurationMs, type RunResource } from "../run-words";
import { RunActions, type WaitingEvent } from "./run-actions";

/** The run's identity, timing, actions and (when it failed) its error. */
export function RunHeader({
  run,
  workflowName,
  waitingEvent,
  now,
  onShowBlock,
}: {
  run: RunResource;
  /** null while loading; "deleted" when the workflow is gone. */
  workflowName: string | "deleted" | null;
  waitingEvent: WaitingEvent | null;
  now: number | null;
  onShowBlock: (blockId: string) => void;
}) {
  const duration = runDurationMs(run, now ?? Date.parse(run.startedAt ?? run.createdAt));
  return (
    <header className="space-y-4">
      <nav aria-label="Breadcrumb" className="flex items-center gap-1 text-sm text-stone-500">
        <Link href="/runs" className="rounded hover:text-stone-900 focus-visible:outline-2 focus-visible:outline-indigo-600">
          Runs
        </Link>
        <ChevronRight className="size-3.5" aria-hidden />
        <IdBadge id={run.id} />
      </nav>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
            <h1 className="min-w-0 truncate text-2xl font-semibold tracking-tight text-stone-900">
              {workflowName === "deleted" ? (
                <span className="italic text-stone-500">Deleted workflow</span>
              ) : (
                <Link href={`/workflows/${run.workflowId}`} className="rounded hover:text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-600">
                  {workflowName ?? "…"}
                </Link>
              )}
            </h1>
            <span className="rounded-md bg-stone-100 px-1.5 py-0.5 font-mono text-xs text-stone-600" title="The workflow version this run pinned when it started">
              v{run.workflowVersion}
            </span>
            <span data-testid="run-status" data-status={run.status}>
              <StatusPill status={run.status} className="text-sm" />
            </span>
          </div>
        </div>
        <RunActions run={run} waitingEvent={waitingEvent} workflowGone={workflowName === "deleted"} />
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 rounded-lg border border-stone-200 bg-white px-4 py-3 text-sm shadow-sm sm:grid-cols-3 lg:grid-cols-6">
        <Meta label="Trigger">
          <TriggerText run={run} />
          {run.parentRunId && (
            <Link
              href={`/runs/${run.parentRunId}`}
              data-testid="parent-run"
              className="block truncate rounded font-mono text-xs text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
              title="The run whose call_workflow block started this one"
            >
              {run.parentRunId}
            </Link>
          )}
        </Meta>
        <Meta label="Created">
          <RelativeTime iso={run.createdAt} />
        </Meta>
        <Meta label="Started">
          <RelativeTime iso={run.startedAt} />
        </Meta>
        <Meta label="Finished">
          <RelativeTime iso={run.finishedAt} />
        </Meta>
        <Meta label="Duration">
          <span className="font-mono tabular-nums" data-testid="run-duration">
            {formatDuration(duration)}
          </span>
        </Meta>
        {run.status === "queued" && run.queuePosition !== undefined ? (
          <Meta label="Queue position">{run.queuePosition === 0 ? "next" : `${run.queuePosition} ahead`}</Meta>
        ) : (
          <Meta label="Run id">
            <span className="block truncate font-mono text-xs text-stone-600" title={run.id}>
              {run.id}
            </span>
          </Meta>
        )}
      </dl>
      {run.children && run.children.length > 0 && <ChildRuns run={run} />}
      {waitingEvent && (
        <div className="flex items-start gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          <Hourglass className="mt-0.5 size-4 shrink-0" aria-hidden />
          <p>
            Waiting in <span className="font-mono">{waitingEvent.blockId}</span>
            {waitingEvent.event ? (
              <>
                {" "}
                for the event <span className="font-mono font-medium">{waitingEvent.event}</span>
              </>
            ) : null}
            . Send it with <span className="font-medium">Send event</span>, or from code with{" "}
            <code className="break-all rounded bg-amber-100 px-1 font-mono text-xs">POST /api/runs/{run.id}/events</code>.
          </p>
        </div>
      )}
      {run.error && (
        <div role="alert" className="flex items-start gap-3 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
          <div className="min-w-0 flex-1 space-y-1">
            <p className="font-medium">The run failed</p>
            <p className="whitespace-pre-wrap break-words text-red-700" data-testid="run-error">
              {run.error.message}
            </p>
            {(run.error.blockId || run.error.code) && (
              <p className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-red-700">
                {run.error.blockId && (
                  <span>
                    Block{" "}
                    <button
                      type="button"
                      onClick={() => onShowBlock(run.error!.blockId!)}
                      className="rounded font-mono underline underline-offset-2 hover:text-red-900 focus-visible:outline-2 focus-visible:outline-red-600"
                      title="Show this block's attempt in the timeline"
                    >
                      {run.error.blockId}
                    </button>
                  </span>
                )}
                {run.error.code && (
                  <span>
                    Code <span className="font-mono">{run.error.code}</span>
                  </span>
                )}
              </p>
            )}
          </div>
        </div>
      )}
    </header>
  );
}

/** Child runs shown before "and N more". */
const SHOWN_CHILDREN = 20;

/** The runs this run's call_workflow blocks started, by block and item, each linking to its page. */
function ChildRuns({ run }: { run: RunResource }) {
  const children = run.children ?? [];
  return (
    <section aria-label="Child runs" data-testid="child-runs" className="rounded-lg border border-stone-200 bg-white px-4 py-3 text-sm shadow-sm">
      <h2 className="text-xs text-stone-500">
        Child runs ({children.length}){run.waitingOn?.kind === "children" ? ` · waiting in ${run.waitingOn.blockId}` : ""}
      </h2>
      <ul className="mt-2 flex flex-wrap gap-2">
        {children.slice(0, SHOWN_CHILDREN).map((child) => (
          <li key={child.runId}>
            <Link
              href={`/runs/${child.runId}`}
              className="inline-flex items-center gap-1.5 rounded-md border border-stone-200 px-2 py-1 hover:bg-stone-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
              title={`${child.blockId}, item ${child.itemIndex}: ${child.runId}`}
            >
              <span className="font-mono text-xs text-stone-600">
                {child.blockId}[{child.itemIndex}]
              </span>
              <StatusPill status={child.status} />
            </Link>
          </li>
        ))}
        {children.length > SHOWN_CHILDREN && <li className="self-center text-xs text-stone-500">and {children.length - SHOWN_CHILDREN} more</li>}
      </ul>
    </section>
  );
}

function Meta({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-stone-500">{label}</dt>
      <dd className="mt-0.5 text-stone-800">{children}</dd>
    </div>
  );
}
