"use client";

/**
 * One block on the editor canvas: its connector's icon and colour, the block's name and type, a
 * one-line summary of its key params, one source handle per branch (the success path first, then
 * `true`/`false`, switch cases, `error`…), the last run's status, the server's complaints, and a
 * short highlight when someone else just changed it.
 */
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { AlertTriangle } from "lucide-react";
import { memo, type ComponentType } from "react";
import { cn } from "@/app/_ui/cn";
import { statusColor } from "@/app/_ui/status";

export interface BlockNodeData extends Record<string, unknown> {
  blockId: string;
  label: string;
  type: string;
  connectorName: string;
  Icon: ComponentType<{ className?: string }>;
  /** Tailwind classes of the icon tile. */
  tile: string;
  summary: string;
  /** The success path is drawn without a label; `successLabel` names it for logic blocks ("always"). */
  successLabel?: string;
  branches: string[];
  hasTarget: boolean;
  disabled: boolean;
  /** The first thing the server said is wrong with this block, and how many things it said. */
  issue?: { message: string; count: number; skipped: boolean };
  status?: string;
  /** The block's output in the drawn run, as one short line. */
  output?: string;
  /** Who changed it just now (someone else), while the highlight lasts. */
  changedBy?: string;
  readOnly: boolean;
}

export type BlockNode = Node<BlockNodeData, "block">;

export const NODE_WIDTH = 240;

const handleClass = "!z-10 !size-2.5 !border-2 !border-white !bg-stone-400 hover:!bg-indigo-600";

function BlockNodeView({ data, selected }: NodeProps<BlockNode>) {
  const status = data.status;
  const color = status ? statusColor(status) : undefined;
  return (
    <div
      className={cn(
        "relative rounded-lg border bg-white text-left shadow-sm transition-shadow",
        selected ? "border-indigo-500 ring-2 ring-indigo-200" : "border-stone-200 hover:shadow-md",
        data.disabled && "opacity-60",
        data.changedBy && "ring-4 ring-amber-300",
        data.issue && !selected && (data.issue.skipped ? "border-red-300" : "border-amber-300"),
      )}
      style={{ width: NODE_WIDTH }}
      data-block-id={data.blockId}
      data-status={status}
    >
      {data.hasTarget && <Handle type="target" position={Position.Left} className={handleClass} isConnectable={!data.readOnly} />}
      <div className="relative flex items-start gap-2.5 px-3 pb-2 pt-2.5">
        <span className={cn("mt-0.5 inline-flex size-7 shrink-0 items-center justify-center rounded-md", data.tile)} aria-hidden>
          <data.Icon className="size-4" />
        </span>
        <div className="min-w-0 flex-1 pr-8">
          <div className="flex items-center gap-1.5">
            <span className="truncate text-[13px] font-semibold text-stone-900">{data.label}</span>
            {data.disabled && <span className="rounded bg-stone-100 px-1 text-[10px] font-medium uppercase text-stone-500">off</span>}
          </div>
          <div className="truncate text-[11px] text-stone-500">
            {data.connectorName}
            {data.label !== data.blockId && <span className="font-mono"> · {data.blockId}</span>}
          </div>
          {data.summary && (
            <div className="mt-1 truncate font-mono text-[11px] text-stone-600" title={data.summary}>
              {data.summary}
            </div>
          )}
        </div>
        {/* The success path: no label unless the block also branches. */}
        {data.successLabel && <span className="pointer-events-none absolute right-3 top-3 text-[10px] text-stone-400">{data.successLabel}</span>}
        <Handle type="source" position={Position.Right} className={handleClass} style={{ top: 20 }} isConnectable={!data.readOnly} title={data.successLabel ?? "Next (on success)"} />
      </div>
      {data.branches.length > 0 && (
        <div className="border-t border-stone-100 py-0.5">
          {data.branches.map((handle) => (
            <div key={handle} className="relative flex h-5 items-center justify-end pr-3">
              <span className={cn("text-[10px] font-medium", handle === "error" ? "text-red-600" : "text-stone-500")}>{handle}</span>
              <Handle
                id={handle}
                type="source"
                position={Position.Right}
                className={cn(handleClass, handle === "error" && "!bg-red-400")}
                isConnectable={!data.readOnly}
                title={`${handle} branch`}
              />
            </div>
          ))}
        </div>
      )}
      {data.output && (
        <div className="truncate border-t border-stone-100 bg-emerald-50/60 px-3 py-1 font-mono text-[11px] text-emerald-900" title={data.output} data-testid="block-output">
          {data.output}
        </div>
      )}
      {(status || data.issue) && (
        <div className="flex items-center justify-between gap-2 rounded-b-lg border-t border-stone-100 px-3 py-1 text-[11px]">
          {status ? (
            <span className="inline-flex shrink-0 items-center gap-1 text-stone-600" data-testid="block-status">
              <span aria-hidden className="size-1.5 rounded-full" style={{ background: color }} />
              {status.replace("_", " ")}
            </span>
          ) : (
            <span />
          )}
          {data.issue && (
            <span className={cn("inline-flex min-w-0 items-center gap-1", data.issue.skipped ? "text-red-700" : "text-amber-700")} title={data.issue.message} data-testid="block-issue">
              <AlertTriangle className="size-3 shrink-0" aria-hidden />
              <span className="truncate">{data.issue.count > 1 ? `${data.issue.count} problems` : data.issue.message}</span>
            </span>
          )}
        </div>
      )}
      {data.changedBy && (
        <div className="absolute -top-6 left-0 whitespace-nowrap rounded bg-amber-100 px-1.5 py-0.5 text-[11px] font-medium text-amber-900 shadow-sm" role="status">
          Changed by {data.changedBy}
        </div>
      )}
    </div>
  );
}

export const BlockNodeComponent = memo(BlockNodeView);
