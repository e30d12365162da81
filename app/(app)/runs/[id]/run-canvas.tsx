"use client";

import { Network } from "lucide-react";
import { useMemo, useState, type CSSProperties } from "react";
import { Button } from "@/app/_ui/button";
import { ErrorState, Skeleton } from "@/app/_ui/states";
import { canvasHeight, WorkflowCanvas } from "@/app/_ui/workflow-canvas";
import type { WorkflowDefinition } from "@/lib/engine/model";

/** Above this many blocks the canvas costs about a second to draw: it waits to be asked for. */
const DRAW_ON_REQUEST = 300;

/** The definition the run pinned, each block coloured by its latest status in the run. */
export function RunCanvas({
  version,
  definition,
  error,
  onRetry,
  statuses,
  onSelectBlock,
}: {
  version: number;
  definition: WorkflowDefinition | undefined;
  error: unknown;
  onRetry: () => void;
  statuses: Record<string, string>;
  onSelectBlock: (blockId: string) => void;
}) {
  const [asked, setAsked] = useState(false);
  const height = useMemo(() => (definition ? canvasHeight(definition) : 240), [definition]);
  const big = definition !== undefined && definition.blocks.length > DRAW_ON_REQUEST;
  return (
    <section aria-label="Workflow" className="overflow-hidden rounded-lg border border-stone-200 bg-white shadow-sm">
      <div className="flex items-center justify-between gap-3 border-b border-stone-200 px-4 py-2.5">
        <h2 className="text-sm font-semibold text-stone-900">
          Workflow <span className="font-normal text-stone-500">v{version}, as pinned by this run</span>
        </h2>
        <p className="hidden text-xs text-stone-500 sm:block">Click a block to find it in the timeline</p>
      </div>
      <div className="h-64 bg-stone-50 sm:h-[var(--canvas-height)]" style={{ "--canvas-height": `${height}px` } as CSSProperties}>
        {error ? (
          <div className="p-4">
            <ErrorState error={error} onRetry={onRetry} />
          </div>
        ) : !definition ? (
          <Skeleton className="h-full w-full rounded-none" />
        ) : big && !asked ? (
          <div className="flex h-full flex-col items-center justify-center gap-3 px-6 text-center">
            <Network className="size-7 text-stone-400" aria-hidden />
            <p className="max-w-sm text-sm text-stone-600">
              This workflow has {definition.blocks.length.toLocaleString("en")} blocks. Drawing them takes a moment, so the timeline comes first.
            </p>
            <Button size="sm" onClick={() => setAsked(true)}>
              Draw the workflow
            </Button>
          </div>
        ) : (
          <WorkflowCanvas definition={definition} statuses={statuses} onSelectBlock={onSelectBlock} />
        )}
      </div>
    </section>
  );
}
