"use client";

/**
 * The editable canvas (@xyflow/react). It draws the definition it is given and turns what a person
 * does into EditOps for the store: a drag ends in one position `update` per moved block, a drawn
 * connection is a `connect`, Delete/Backspace removes the selection in one batch, a block dropped
 * from the palette is an `add`. Node objects are reused while their block is unchanged, so an edit
 * redraws one node, not two hundred (blockNodes).
 */
import "@xyflow/react/dist/style.css";
import {
  applyNodeChanges,
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  type Connection,
  type Edge,
  type NodeChange,
  type ReactFlowInstance,
  type Viewport,
} from "@xyflow/react";
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { firstViewport } from "@/app/_ui/workflow-canvas";
import type { Block, WorkflowDefinition } from "@/lib/engine/model";
import type { EditOp } from "@/lib/engine/ops";
import { BlockNodeComponent, NODE_WIDTH, type BlockNode, type BlockNodeData } from "./block-node";
import { connectorStyle } from "./connector-style";
import { BLOCK_TYPE_MIME } from "./palette";
import type { EditOptions } from "./editor-store";
import type { BlockIssue, CatalogEntry } from "./types";

const NODE_TYPES = { block: BlockNodeComponent };

/** The branch handles a block has besides its success path: the catalog's, plus one per switch case. */
export function branchHandles(block: Block, entry: CatalogEntry | undefined): string[] {
  const handles = [...(entry?.handles ?? [])];
  if (entry?.dynamicHandles && Array.isArray(block.params.cases)) {
    for (const c of block.params.cases) {
      const handle = c !== null && typeof c === "object" ? (c as Record<string, unknown>).handle : undefined;
      if (typeof handle === "string" && handle && !handles.includes(handle)) handles.splice(Math.max(0, handles.indexOf("default")), 0, handle);
    }
  }
  // The error branch last, where people look for it.
  return [...handles.filter((h) => h !== "error"), ...handles.filter((h) => h === "error")];
}

function short(value: unknown, max = 48): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text === undefined) return "";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A line of the block's key params: required ones first, as `name: value`. */
export function paramSummary(block: Block, entry: CatalogEntry | undefined): string {
  const order = entry ? [...entry.params].sort((a, b) => Number(b.required) - Number(a.required)).map((p) => p.name) : Object.keys(block.params);
  const parts: string[] = [];
  for (const name of order) {
    const value = block.params[name];
    if (value === undefined || value === null || value === "") continue;
    parts.push(`${name}: ${short(value, 40)}`);
    if (parts.length === 2) break;
  }
  return parts.join(" · ");
}

function edgeId(edge: { source: string; target: string; sourceHandle?: string }): string {
  return `${edge.source}->${edge.target}:${edge.sourceHandle ?? ""}`;
}

interface NodeInputs {
  definition: WorkflowDefinition;
  catalog: ReadonlyMap<string, CatalogEntry>;
  issues: ReadonlyMap<string, BlockIssue[]>;
  statuses?: Record<string, string>;
  outputs?: Record<string, string>;
  changed?: { blockIds: ReadonlySet<string>; by: string } | null;
  readOnly: boolean;
}

/**
 * The canvas's nodes, reusing each node of `current` (the nodes React Flow holds, with their
 * measured size and selection) whose block and look did not change, and `current` itself when no
 * node did. Selection belongs to React Flow: a changed block's node keeps it. A changed block's node keeps the measured size too: React Flow draws a node without one even
 * when it is off screen, and measures it again, so dropping it would redraw all 200 blocks of a big
 * workflow on every keystroke or click.
 */
export function blockNodes({ definition, catalog, issues, statuses, outputs, changed, readOnly }: NodeInputs, current: readonly BlockNode[]): BlockNode[] {
  const byId = new Map(current.map((node) => [node.id, node]));
  let reused = definition.blocks.length === current.length;
  const next = definition.blocks.map((block, index): BlockNode => {
    const entry = catalog.get(block.type);
    const style = connectorStyle(entry ?? { type: block.type, category: "unknown", kind: "action" });
    const blockIssues = issues.get(block.id) ?? [];
    const label = block.name || block.id;
    const data: BlockNodeData = {
      blockId: block.id,
      label,
      type: block.type,
      connectorName: entry?.name ?? `Unknown type ${block.type}`,
      Icon: style.icon,
      tile: style.tile,
      summary: paramSummary(block, entry),
      successLabel: entry?.kind === "logic" && (entry.handles.length > 0 || entry.dynamicHandles) ? "always" : undefined,
      branches: branchHandles(block, entry),
      hasTarget: entry?.kind !== "trigger",
      disabled: block.enabled === false,
      issue:
        blockIssues.length > 0
          ? { message: blockIssues[0].message, count: blockIssues.length, skipped: blockIssues.some((i) => i.source === "skip") }
          : undefined,
      status: statuses ? (statuses[block.id] ?? "not reached") : undefined,
      output: outputs?.[block.id],
      changedBy: changed?.blockIds.has(block.id) ? changed.by : undefined,
      readOnly,
    };
    const position = block.position ?? { x: 0, y: 0 };
    const old = byId.get(block.id);
    if (
      old &&
      old.position.x === position.x &&
      old.position.y === position.y &&
      Object.keys(data).every(
        (key) =>
          old.data[key] === data[key] ||
          (key === "branches" && old.data.branches.join() === data.branches.join()) ||
          (key === "issue" && JSON.stringify(old.data.issue) === JSON.stringify(data.issue)),
      )
    ) {
      if (current[index] !== old) reused = false;
      return old;
    }
    reused = false;
    return {
      id: block.id,
      type: "block",
      position,
      data,
      selected: old?.selected,
      draggable: !readOnly,
      connectable: !readOnly,
      deletable: !readOnly,
      width: old?.width,
      height: old?.height,
      measured: old?.measured,
      ariaLabel: `${label} (${entry?.name ?? block.type})`,
    };
  });
  return reused ? (current as BlockNode[]) : next;
}

/**
 * The editor's first view: the whole graph when it fits at a readable zoom; else a readable zoom on
 * where runs start (the leftmost block, a trigger when there is one), centred on it vertically, so
 * a big laid-out graph does not open on the empty corner of its bounding box.
 */
export function openingViewport(definition: WorkflowDefinition, width: number, height: number): Viewport {
  const placed = definition.blocks.map((b) => ({ position: b.position ?? { x: 0, y: 0 }, type: b.type }));
  const fit = firstViewport(placed, width, height, { width: NODE_WIDTH, height: 90 });
  if (placed.length === 0) return fit;
  const xs = placed.map((p) => p.position.x);
  const ys = placed.map((p) => p.position.y);
  const fits = (Math.max(...xs) - Math.min(...xs) + NODE_WIDTH) * fit.zoom <= width && (Math.max(...ys) - Math.min(...ys) + 90) * fit.zoom <= height;
  if (fits) return fit;
  const minX = Math.min(...xs);
  const left = placed.filter((p) => p.position.x === minX);
  const anchor = left.find((p) => p.type.startsWith("trigger_")) ?? left[0];
  return { x: 32 - minX * fit.zoom, y: height / 2 - (anchor.position.y + 45) * fit.zoom, zoom: fit.zoom };
}

export interface EditorCanvasProps {
  definition: WorkflowDefinition;
  catalog: ReadonlyMap<string, CatalogEntry>;
  issues: ReadonlyMap<string, BlockIssue[]>;
  statuses?: Record<string, string>;
  /** Each block's output in the drawn run, as one short line. */
  outputs?: Record<string, string>;
  changed?: { blockIds: ReadonlySet<string>; by: string } | null;
  readOnly?: boolean;
  /**
   * Selects these blocks (after an add, from the command palette). React Flow owns the selection;
   * this only asks for a change, and `onSelectionChange` reports every change, whoever made it.
   */
  selectRequest: { ids: readonly string[] } | null;
  onSelectionChange(ids: string[]): void;
  onOps(ops: EditOp[], options?: EditOptions): void;
  onDropBlock(type: string, position: { x: number; y: number }): void;
  onInit?(instance: ReactFlowInstance<BlockNode>): void;
}

export const EditorCanvas = memo(function EditorCanvas({
  definition,
  catalog,
  issues,
  statuses,
  outputs,
  changed,
  readOnly = false,
  selectRequest,
  onSelectionChange,
  onOps,
  onDropBlock,
  onInit,
}: EditorCanvasProps) {
  const inputs = useMemo<NodeInputs>(
    () => ({ definition, catalog, issues, statuses, outputs, changed, readOnly }),
    [definition, catalog, issues, statuses, outputs, changed, readOnly],
  );
  // React Flow moves, measures and selects nodes through onNodesChange; the definition changes only
  // when a move ends. A new definition keeps each node's selection and measured size.
  const [nodes, setNodes] = useState<BlockNode[]>(() => blockNodes(inputs, []));
  useEffect(() => setNodes((current) => blockNodes(inputs, current)), [inputs]);
  useEffect(() => {
    if (!selectRequest) return;
    const wanted = new Set(selectRequest.ids);
    setNodes((current) => current.map((node) => (Boolean(node.selected) === wanted.has(node.id) ? node : { ...node, selected: wanted.has(node.id) })));
  }, [selectRequest]);

  const edges = useMemo<Edge[]>(
    () =>
      definition.edges.map((edge) => {
        const taken = statuses ? statuses[edge.target] !== undefined && statuses[edge.target] !== "skipped" && statuses[edge.source] !== undefined : false;
        const color = edge.sourceHandle === "error" ? "#f87171" : taken ? "#57534e" : "#a8a29e";
        return {
          id: edgeId(edge),
          source: edge.source,
          target: edge.target,
          sourceHandle: edge.sourceHandle ?? null,
          label: edge.sourceHandle,
          labelStyle: { fontSize: 11, fill: "#57534e" },
          labelBgStyle: { fill: "#fafaf9" },
          markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color },
          style: { stroke: color, strokeWidth: taken ? 2 : 1.5 },
          deletable: !readOnly,
          data: { edge },
        };
      }),
    [definition.edges, statuses, readOnly],
  );

  // A move ends (a drag is let go, an arrow key moves the selection) with `dragging: false`: then
  // the new positions become one `update` per moved block; arrow-key bursts merge into one save.
  const latest = useRef(definition);
  useEffect(() => {
    latest.current = definition;
  }, [definition]);
  const onNodesChange = useCallback(
    (changes: NodeChange<BlockNode>[]) => {
      setNodes((current) => applyNodeChanges(changes, current));
      if (readOnly) return;
      const ops: EditOp[] = [];
      for (const change of changes) {
        if (change.type !== "position" || change.dragging !== false || !change.position) continue;
        const at = { x: Math.round(change.position.x), y: Math.round(change.position.y) };
        const block = latest.current.blocks.find((b) => b.id === change.id);
        if (block && (block.position?.x !== at.x || block.position?.y !== at.y)) ops.push({ operation_type: "update", block_id: change.id, position: at });
      }
      if (ops.length > 0) onOps(ops, { debounceMs: 250, mergeKey: `move:${ops.map((op) => ("block_id" in op ? op.block_id : "")).join()}` });
    },
    [onOps, readOnly],
  );

  const flow = useRef<ReactFlowInstance<BlockNode> | null>(null);
  // The first viewport is computed from the stored positions and the canvas's size, measured before
  // React Flow is drawn: the whole graph when it fits readably, else its start at a readable zoom.
  // (React Flow's own fitView would measure only the blocks it drew, which for a big graph is a few.)
  const wrapper = useRef<HTMLDivElement>(null);
  const [opening, setOpening] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    const box = wrapper.current?.getBoundingClientRect();
    if (!box || box.width === 0 || box.height === 0 || opening) return;
    setOpening(openingViewport(definition, box.width, box.height));
  });

  return (
    <div ref={wrapper} className="h-full w-full" data-testid="editor-canvas">
      {opening && (
      <ReactFlow<BlockNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onSelectionChange={({ nodes: selected }) => onSelectionChange(selected.map((n) => n.id))}
        onConnect={(connection: Connection) => {
          if (readOnly || !connection.source || !connection.target || connection.source === connection.target) return;
          onOps([
            {
              operation_type: "connect",
              block_id: connection.source,
              target_block_id: connection.target,
              ...(connection.sourceHandle ? { source_handle: connection.sourceHandle } : {}),
            },
          ]);
        }}
        onDelete={({ nodes: gone, edges: cut }) => {
          if (readOnly) return;
          const removed = new Set(gone.map((n) => n.id));
          const ops: EditOp[] = [];
          for (const e of cut) {
            if (removed.has(e.source) || removed.has(e.target)) continue;
            ops.push({ operation_type: "disconnect", block_id: e.source, target_block_id: e.target, ...(e.sourceHandle ? { source_handle: e.sourceHandle } : {}) });
          }
          for (const id of removed) ops.push({ operation_type: "remove", block_id: id });
          if (ops.length > 0) onOps(ops);
        }}
        deleteKeyCode={readOnly ? null : ["Delete", "Backspace"]}
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        selectionKeyCode="Shift"
        onInit={(instance) => {
          flow.current = instance;
          onInit?.(instance);
        }}
        onDragOver={(event: DragEvent) => {
          if (readOnly || !event.dataTransfer.types.includes(BLOCK_TYPE_MIME)) return;
          event.preventDefault();
          event.dataTransfer.dropEffect = "move";
        }}
        onDrop={(event: DragEvent) => {
          const type = event.dataTransfer.getData(BLOCK_TYPE_MIME);
          if (readOnly || !type || !flow.current) return;
          event.preventDefault();
          const at = flow.current.screenToFlowPosition({ x: event.clientX, y: event.clientY });
          onDropBlock(type, { x: Math.round(at.x - NODE_WIDTH / 2), y: Math.round(at.y - 30) });
        }}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        defaultViewport={opening}
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        minZoom={0.1}
        maxZoom={2}
        onlyRenderVisibleElements={definition.blocks.length > 120}
        proOptions={{ hideAttribution: true }}
        connectionRadius={28}
      >
        <Background gap={16} color="#e7e5e4" />
        <Controls position="bottom-left" orientation="horizontal" showInteractive={false} />
        {/* A small workflow fits in view; the overview is for the big ones, and would only hide blocks here. */}
        {definition.blocks.length > 12 && (
        <MiniMap
          pannable
          zoomable
          position="bottom-right"
          style={{ width: 160, height: 100 }}
          className="!hidden !rounded-md !border !border-stone-200 md:!block"
          nodeColor="#d6d3d1"
          maskColor="rgba(250,250,249,0.7)"
          ariaLabel="Overview of the whole workflow"
        />
        )}
      </ReactFlow>
      )}
    </div>
  );
});
