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
  issue?: { message: string; count: number };
  status?: string;
  /** The block's output in the drawn run, as one short line. */
  output?: string;
  /** Who changed it just now (someone else), while the highlight lasts. */
  changedBy?: string;
  readOnly: boolean;
}

export type BlockNode = Node<BlockNodeData, "block">;

export const NODE_WIDTH = 240;
const HANDLE_ROW = 20;

/** The node's height as drawn, so a layout can place blocks before React Flow measures them. */
export function nodeHeight(branches: number): number {
  return 64 + Math.max(0, branches) * HANDLE_ROW;
}

const handleClass = "!size-2.5 !border-2 !border-white !bg-stone-400 hover:!bg-indigo-600";

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
        data.issue && !selected && "border-red-300",
      )}
      style={{ width: NODE_WIDTH }}
      data-block-id={data.blockId}
      data-status={status}
    >
      {data.hasTarget && <Handle type="target" position={Position.Left} className={handleClass} isConnectable={!data.readOnly} />}
      <div className="flex items-start gap-2.5 px-3 pb-2 pt-2.5">
        <span className={cn("mt-0.5 inline-flex size-7 shrink-0 items-center justify-center rounded-md", data.tile)} aria-hidden>
          <data.Icon className="size-4" />
        </span>
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-1.5">
            <span className="truncate text-[13px] font-semibold text-stone-900">{data.label}</span>
            {data.disabled && <span className="rounded bg-stone-100 px-1 text-[10px] font-medium uppercase text-stone-500">off</span>}
          </div>
          <div className="truncate text-[11px] text-stone-500">
            {data.connectorName}
            {data.label !== data.blockId && <span className="font-mono"> · {data.blockId}</span>}
          </div>
          {data.summary && <div className="mt-1 truncate font-mono text-[11px] text-stone-600" title={data.summary}>{data.summary}</div>}
        </div>
      </div>
      {data.output && (
        <div className="truncate border-t border-stone-100 bg-emerald-50/60 px-3 py-1 font-mono text-[11px] text-emerald-900" title={data.output} data-testid="block-output">
          {data.output}
        </div>
      )}
      {(status || data.issue) && (
        <div className="flex items-center justify-between gap-2 border-t border-stone-100 px-3 py-1 text-[11px]">
          {status ? (
            <span className="inline-flex items-center gap-1 text-stone-600" data-testid="block-status">
              <span aria-hidden className="size-1.5 rounded-full" style={{ background: color }} />
              {status.replace("_", " ")}
            </span>
          ) : (
            <span />
          )}
          {data.issue && (
            <span className="inline-flex min-w-0 items-center gap-1 text-red-700" title={data.issue.message} data-testid="block-issue">
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
      <Handle
        type="source"
        position={Position.Right}
        className={handleClass}
        style={{ top: 26 }}
        isConnectable={!data.readOnly}
        title={data.successLabel ?? "Next (on success)"}
      />
      {data.successLabel && (
        <span className="pointer-events-none absolute right-3 text-[10px] text-stone-400" style={{ top: 19 }}>
          {data.successLabel}
        </span>
      )}
      {data.branches.map((handle, i) => {
        const top = 64 + i * HANDLE_ROW + (status || data.issue ? 22 : 0) + (data.output ? 22 : 0);
        return (
          <div key={handle}>
            <span
              className={cn("pointer-events-none absolute right-3 text-[10px] font-medium", handle === "error" ? "text-red-600" : "text-stone-500")}
              style={{ top: top - 7 }}
            >
              {handle}
            </span>
            <Handle
              id={handle}
              type="source"
              position={Position.Right}
              className={cn(handleClass, handle === "error" && "!bg-red-400")}
              style={{ top }}
              isConnectable={!data.readOnly}
              title={`${handle} branch`}
            />
          </div>
        );
      })}
      {data.branches.length > 0 && <div style={{ height: data.branches.length * HANDLE_ROW }} />}
    </div>
  );
}

export const BlockNodeComponent = memo(BlockNodeView);
