"use client";

/** The selected block in the drawn run: its status, the params it ran with, its output or error, what it logged. */
import Link from "next/link";
import { JsonView } from "@/app/_ui/json-view";
import { StatusPill } from "@/app/_ui/status";
import { formatDuration, RelativeTime } from "@/app/_ui/time";
import type { LastRun } from "./use-last-run";

export function RunOutputPanel({ run, blockId }: { run: LastRun; blockId: string }) {
  const block = run.blocks[blockId];
  return (
    <section className="border-t border-stone-200 px-4 py-3" aria-labelledby="block-run-heading" data-testid="block-run">
      <div className="flex items-center justify-between gap-2">
        <h3 id="block-run-heading" className="text-sm font-semibold text-stone-900">
          In the last run
        </h3>
        <Link href={`/runs/${run.id}`} className="text-xs font-medium text-indigo-700 hover:text-indigo-500">
          Open run
        </Link>
      </div>
      <p className="mt-0.5 text-xs text-stone-500">
        Run of version {run.workflowVersion}, <RelativeTime iso={run.createdAt} />
      </p>
      {!block ? (
        <p className="mt-2 text-sm text-stone-500">This block did not run in it{run.status === "running" || run.status === "queued" ? " yet" : ""}.</p>
      ) : (
        <div className="mt-2 space-y-2">
          <div className="flex items-center gap-2 text-xs text-stone-600">
            <StatusPill status={block.status} />
            {block.durationMs !== null && <span>{formatDuration(block.durationMs)}</span>}
          </div>
          {block.error !== null && block.error !== undefined && <JsonView title="Error" value={block.error} />}
          {block.output !== null && block.output !== undefined && <JsonView title="Output" value={block.output} />}
          <JsonView title="Input (params as resolved)" value={block.input} defaultOpen={false} />
          {block.messages.length > 0 && (
            <ul className="rounded-md border border-stone-200 bg-stone-50 p-2 font-mono text-[11px] text-stone-700">
              {block.messages.map((m, i) => (
                <li key={i}>
                  <span className="text-stone-400">{m.level}</span> {m.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
