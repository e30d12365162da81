"use client";

/**
 * A workflow definition drawn read-only: one node per block (name or id, type, and, when
 * `statuses` is given, coloured by the block's latest status), one edge per connection labelled
 * with its handle. Blocks keep their stored positions when every block has one; otherwise they are
 * laid out in layers (rank = longest path from a root, x by rank, y by index within the rank).
 */
import "@xyflow/react/dist/style.css";
import { Background, Controls, Handle, MarkerType, Position, ReactFlow, type Edge, type Node, type NodeProps, type ReactFlowInstance, type Viewport } from "@xyflow/react";
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { WorkflowDefinition } from "@/lib/engine/model";
import { cn } from "./cn";
import { statusColor } from "./status";

const RANK_GAP = 264;
const ROW_GAP = 96;
/** Node size as drawn (w-52, two lines of text), for the first viewport before React Flow measures. */
const NODE_W = 208;
const NODE_H = 52;
/** Below this zoom names are unreadable: a big graph opens at this zoom on its first blocks instead of fitting. */
const READABLE_ZOOM = 0.6;
const PADDING = 32;

/**
 * The first viewport: the whole graph when it fits readably, else its left end (where runs start)
 * at a readable zoom. `node` is the size a node is drawn at (the editor's are larger).
 */
export function firstViewport(
  nodes: { position: { x: number; y: number } }[],
  width: number,
  height: number,
  node: { width: number; height: number } = { width: NODE_W, height: NODE_H },
): Viewport {
  if (nodes.length === 0) return { x: 0, y: 0, zoom: 1 };
  const xs = nodes.map((n) => n.position.x);
  const ys = nodes.map((n) => n.position.y);
  const box = { x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs) + node.width, h: Math.max(...ys) - Math.min(...ys) + node.height };
  const fit = Math.min((width - 2 * PADDING) / box.w, (height - 2 * PADDING) / box.h, 1.1);
  const zoom = Math.max(fit, READABLE_ZOOM);
  const x = fit >= READABLE_ZOOM ? (width - box.w * zoom) / 2 - box.x * zoom : PADDING - box.x * zoom;
  const y = box.h * zoom <= height - 2 * PADDING ? (height - box.h * zoom) / 2 - box.y * zoom : PADDING - box.y * zoom;
  return { x, y, zoom };
}

type BlockNodeData = { label: string; blockId: string; type: string; status?: string; disabled: boolean; selectable: boolean };
type BlockNode = Node<BlockNodeData, "block">;

/** Ranks of a directed graph: the longest path from a block with no incoming edge. Blocks on a cycle get the rank after everything else. */
export function layerBlocks(definition: WorkflowDefinition): Map<string, { rank: number; row: number }> {
  const ids = definition.blocks.map((b) => b.id);
  const known = new Set(ids);
  const incoming = new Map(ids.map((id) => [id, 0]));
  const outgoing = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const edge of definition.edges) {
    if (!known.has(edge.source) || !known.has(edge.target) || edge.source === edge.target) continue;
    outgoing.get(edge.source)!.push(edge.target);
    incoming.set(edge.target, incoming.get(edge.target)! + 1);
  }
  const rank = new Map<string, number>();
  const queue = ids.filter((id) => incoming.get(id) === 0);
  for (const id of queue) rank.set(id, 0);
  // Kahn's order: a block is ranked once every block before it is.
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    for (const next of outgoing.get(id)!) {
      rank.set(next, Math.max(rank.get(next) ?? 0, rank.get(id)! + 1));
      const left = incoming.get(next)! - 1;
      incoming.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  const maxRank = Math.max(-1, ...[...rank.values()]);
  const ordered = new Set(queue);
  const rows = new Map<number, number>();
  const placed = new Map<string, { rank: number; row: number }>();
  for (const id of ids) {
    const r = ordered.has(id) ? rank.get(id)! : maxRank + 1;
    const row = rows.get(r) ?? 0;
    rows.set(r, row + 1);
    placed.set(id, { rank: r, row });
  }
  return placed;
}

/** A height (px) that fits the graph's tallest layer readably, between `min` and `max`. */
export function canvasHeight(definition: WorkflowDefinition, min = 240, max = 420): number {
  let rows = 1;
  for (const place of layerBlocks(definition).values()) rows = Math.max(rows, place.row + 1);
  return Math.min(max, Math.max(min, rows * ROW_GAP + 96));
}

function BlockNodeView({ data }: NodeProps<BlockNode>) {
  const color = data.status ? statusColor(data.status) : "#d6d3d1";
  return (
    <div
      className={cn(
        "w-52 rounded-lg border bg-white px-3 py-2 text-left shadow-sm",
        data.selectable && "cursor-pointer hover:shadow-md",
        data.disabled && "opacity-60",
      )}
      style={{ borderColor: color, borderLeftWidth: 4 }}
      title={data.status ? `${data.blockId}: ${data.status.replace("_", " ")}` : data.blockId}
    >
      <Handle type="target" position={Position.Left} className="!size-2 !border-0 !bg-stone-300" isConnectable={false} />
      <div className="truncate text-xs font-semibold text-stone-900">{data.label}</div>
      <div className="mt-0.5 flex items-center justify-between gap-2 text-[11px] text-stone-500">
        <span className="truncate font-mono">{data.type}</span>
        {data.status !== undefined && (
          <span className="inline-flex shrink-0 items-center gap-1">
            <span aria-hidden className="size-1.5 rounded-full" style={{ background: color }} />
            {data.status.replace("_", " ")}
          </span>
        )}
      </div>
      <Handle type="source" position={Position.Right} className="!size-2 !border-0 !bg-stone-300" isConnectable={false} />
    </div>
  );
}

const EDGE_LABEL = { fontSize: 11, fill: "#57534e" };
const EDGE_LABEL_BG = { fill: "#fafaf9" };

// Declared once, outside any component, so React Flow does not rebuild its node renderers.
const NODE_TYPES = { block: BlockNodeView };

/**
 * `statuses` maps block ids to a status (a block with no entry reads "not reached" when `statuses`
 * is given); `onSelectBlock` is called with the clicked block's id.
 */
export const WorkflowCanvas = memo(function WorkflowCanvas({
  definition,
  statuses,
  onSelectBlock,
  className,
}: {
  definition: WorkflowDefinition;
  statuses?: Record<string, string>;
  onSelectBlock?: (blockId: string) => void;
  className?: string;
}) {
  const layout = useMemo(() => {
    const stored = definition.blocks.length > 0 && definition.blocks.every((b) => b.position);
    return stored ? null : layerBlocks(definition);
  }, [definition]);

  // React Flow skips nodes it is given again as the same object: a status change then redraws one
  // node, not all of them (it matters from a few hundred blocks on).
  const drawnNodes = useRef(new Map<string, BlockNode>());
  const nodes = useMemo<BlockNode[]>(() => {
    const next = definition.blocks.map((block): BlockNode => {
      const place = layout?.get(block.id);
      const status = statuses ? (statuses[block.id] ?? "not reached") : undefined;
      const position = place ? { x: place.rank * RANK_GAP, y: place.row * ROW_GAP } : block.position!;
      const drawn = drawnNodes.current.get(block.id);
      const label = block.name || block.id;
      const selectable = Boolean(onSelectBlock);
      if (
        drawn &&
        drawn.data.status === status &&
        drawn.data.label === label &&
        drawn.data.type === block.type &&
        drawn.data.disabled === (block.enabled === false) &&
        drawn.data.selectable === selectable &&
        drawn.position.x === position.x &&
        drawn.position.y === position.y
      ) {
        return drawn;
      }
      return {
        id: block.id,
        type: "block",
        position,
        draggable: false,
        connectable: false,
        ariaLabel: `${label} (${block.type})${status ? `: ${status}` : ""}`,
        data: { label, blockId: block.id, type: block.type, status, disabled: block.enabled === false, selectable },
      };
    });
    drawnNodes.current = new Map(next.map((node) => [node.id, node]));
    return next;
  }, [definition, layout, statuses, onSelectBlock]);

  const drawnEdges = useRef(new Map<string, Edge>());
  const edges = useMemo<Edge[]>(() => {
    const next = definition.edges.map((edge, index): Edge => {
      // An edge is drawn dark when the run reached its target (and did not skip it).
      const taken = statuses ? statuses[edge.target] !== undefined && statuses[edge.target] !== "skipped" : false;
      const id = `${edge.source}->${edge.target}:${edge.sourceHandle ?? ""}:${index}`;
      const drawn = drawnEdges.current.get(id);
      if (drawn && drawn.data?.taken === taken) return drawn;
      const color = taken ? "#78716c" : "#d6d3d1";
      return {
        id,
        source: edge.source,
        target: edge.target,
        label: edge.sourceHandle,
        labelStyle: EDGE_LABEL,
        labelBgStyle: EDGE_LABEL_BG,
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color },
        style: { stroke: color, strokeWidth: 1.5 },
        data: { taken },
      };
    });
    drawnEdges.current = new Map(next.map((edge) => [edge.id, edge]));
    return next;
  }, [definition, statuses]);

  // The first viewport depends on the box the canvas gets: measure it before drawing.
  // When the box changes size (a phone turned, a window resized), the view is placed again.
  const wrapper = useRef<HTMLDivElement>(null);
  const flow = useRef<ReactFlowInstance<BlockNode> | null>(null);
  const nodesRef = useRef(nodes);
  useEffect(() => {
    nodesRef.current = nodes;
  }, [nodes]);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  useLayoutEffect(() => {
    const element = wrapper.current;
    if (!element) return;
    let last = { width: 0, height: 0 };
    const measure = () => {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || (box.width === last.width && box.height === last.height)) return;
      if (last.width > 0) void flow.current?.setViewport(firstViewport(nodesRef.current, box.width, box.height));
      last = { width: box.width, height: box.height };
      setSize((known) => known ?? last);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  return (
    <div ref={wrapper} className={cn("h-full w-full", className)} data-testid="workflow-canvas">
      {size && (
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          defaultViewport={firstViewport(nodes, size.width, size.height)}
          onInit={(instance) => {
            flow.current = instance;
          }}
          fitViewOptions={{ padding: 0.15, maxZoom: 1.1 }}
          minZoom={0.1}
          // Thousands of nodes stay smooth when only the ones in view are in the DOM.
          onlyRenderVisibleElements={definition.blocks.length > 150}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={Boolean(onSelectBlock)}
          edgesFocusable={false}
          onNodeClick={onSelectBlock ? (_, node) => onSelectBlock(node.id) : undefined}
          onKeyDown={(event) => {
            // A focused node (Tab reaches them) selects with Enter or Space, as a click does.
            if (!onSelectBlock || (event.key !== "Enter" && event.key !== " ")) return;
            const id = (event.target as HTMLElement).closest(".react-flow__node")?.getAttribute("data-id");
            if (id) {
              event.preventDefault();
              onSelectBlock(id);
            }
          }}
        >
          <Background gap={16} color="#e7e5e4" />
          <Controls showInteractive={false} position="bottom-left" orientation="horizontal" />
        </ReactFlow>
      )}
    </div>
  );
});
