"use client";

/**
 * The workflow editor (docs/editor.md): palette on the left, the canvas in the middle, the selected
 * block's form (or the variables, the history, the last run of a block) on the right. Every change
 * goes through the EditorStore's one save path, the patch endpoint with If-Match; others' changes
 * are polled from the head of the history and highlighted on the blocks they touched.
 */
import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactFlowInstance } from "@xyflow/react";
import { Braces, History, LayoutGrid, PanelLeft, Plus, Redo2, Undo2, X } from "lucide-react";
import Link from "next/link";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { toast } from "sonner";
import { api, ApiFailure, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { StatusPill } from "@/app/_ui/status";
import { cn } from "@/app/_ui/cn";
import type { Block, WorkflowDefinition } from "@/lib/engine/model";
import type { EditOp } from "@/lib/engine/ops";
import type { Workflow } from "@/lib/resources/workflow";
import { actorLabel } from "../../_components/actor";
import { runInputKey } from "../run-dialog";
import { BlockPanel } from "./block-panel";
import type { BlockNode } from "./block-node";
import { NODE_WIDTH } from "./block-node";
import { CommandPalette } from "./command-palette";
import { branchHandles, EditorCanvas } from "./editor-canvas";
import { EditorStore, type EditOptions, type SavedWorkflow } from "./editor-store";
import { HistoryPanel } from "./history-panel";
import { autoLayout, rememberingLayout } from "./layout";
import { Palette } from "./palette";
import { RunOutputPanel } from "./run-output-panel";
import { templateSuggestions } from "./suggestions";
import { editorTransport } from "./transport";
import type { BlockChange, CatalogEntry } from "./types";
import { useLastRun } from "./use-last-run";
import { VariablesPanel } from "./variables-panel";

const POLL_MS = 1_500;
const HIGHLIGHT_MS = 4_000;
const TYPING_DEBOUNCE_MS = 600;

/** The connector catalog the canvas and the forms are drawn from; the workflow page starts loading it beside the workflow. */
export const catalogQueryOptions = queryOptions({
  queryKey: ["connectors", "full"],
  queryFn: async () => read(await api.api.connectors.$get({ query: {} })),
  staleTime: 5 * 60_000,
});

type SidePanel = { kind: "block" } | { kind: "variables" } | { kind: "history" } | null;

/** The height that takes the element down to the bottom of the window (less a margin), kept on resize. */
function useFillHeight(element: { current: HTMLElement | null }, margin = 24): number | undefined {
  const [height, setHeight] = useState<number>();
  useLayoutEffect(() => {
    const measure = () => {
      const el = element.current;
      if (!el) return;
      const top = el.getBoundingClientRect().top + window.scrollY;
      setHeight(Math.max(480, window.innerHeight - top - margin));
    };
    measure();
    window.addEventListener("resize", measure);
    return () => window.removeEventListener("resize", measure);
  }, [element, margin]);
  return height;
}

/** An output as one line: `key: value` pairs of an object, else its JSON. */
export function outputLine(output: unknown): string {
  if (output !== null && typeof output === "object" && !Array.isArray(output)) {
    return Object.entries(output)
      .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" · ")
      .slice(0, 200);
  }
  return (typeof output === "string" ? output : JSON.stringify(output)).slice(0, 200);
}

/** A block id for a new block of `type`: short, readable, unused. */
export function newBlockId(type: string, entry: CatalogEntry | undefined, taken: ReadonlySet<string>): string {
  const stem = entry?.kind === "trigger" ? "trg" : type.replace(/[^A-Za-z0-9_-]/g, "_").replace(/^[^A-Za-z]+/, "") || "block";
  if (!taken.has(stem)) return stem;
  for (let i = 2; ; i++) if (!taken.has(`${stem}_${i}`)) return `${stem}_${i}`;
}

/**
 * Positions for display: blocks an agent added without one are placed to the right of their first
 * placed upstream block, or below everything; when no block has a position the whole graph is laid
 * out with `layout` (the editor passes one that remembers its last answer).
 */
export function placeBlocks(definition: WorkflowDefinition, layout: typeof autoLayout = autoLayout): WorkflowDefinition {
  const missing = definition.blocks.filter((b) => !b.position);
  if (missing.length === 0) return definition;
  const placed = new Map<string, { x: number; y: number }>();
  if (missing.length === definition.blocks.length) {
    for (const [id, at] of layout(definition)) placed.set(id, at);
  } else {
    for (const b of definition.blocks) if (b.position) placed.set(b.id, b.position);
    let bottom = Math.max(...[...placed.values()].map((p) => p.y)) + 140;
    for (const block of missing) {
      const upstream = definition.edges.find((e) => e.target === block.id && placed.has(e.source));
      if (upstream) {
        const from = placed.get(upstream.source)!;
        let at = { x: from.x + NODE_WIDTH + 80, y: from.y };
        while ([...placed.values()].some((p) => Math.abs(p.x - at.x) < NODE_WIDTH && Math.abs(p.y - at.y) < 90)) at = { x: at.x, y: at.y + 110 };
        placed.set(block.id, at);
      } else {
        placed.set(block.id, { x: 0, y: bottom });
        bottom += 110;
      }
    }
  }
  return { ...definition, blocks: definition.blocks.map((b) => (b.position ? b : { ...b, position: placed.get(b.id) ?? { x: 0, y: 0 } })) };
}

export function WorkflowEditor({
  workflow,
  myUserId,
  runId,
  flushRef,
}: {
  workflow: Workflow;
  myUserId?: string;
  /** The run the canvas draws (one just started here); the newest run when null. */
  runId: string | null;
  /** Set to the store's flush, so Run saves pending edits first. */
  flushRef?: { current: (() => Promise<void>) | null };
}) {
  const queryClient = useQueryClient();
  const [store] = useState(() => new EditorStore(workflow as SavedWorkflow, editorTransport(api, workflow.id, (actor, raw) => actorLabel(actor, myUserId) ?? raw)));
  const state = useSyncExternalStore(store.subscribe, store.getState, store.getState);
  const flow = useRef<ReactFlowInstance<BlockNode> | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const height = useFillHeight(root);

  const catalogQuery = useQuery(catalogQueryOptions);
  const catalogList = useMemo(() => (catalogQuery.data?.data ?? []) as CatalogEntry[], [catalogQuery.data]);
  const catalog = useMemo(() => new Map(catalogList.map((entry) => [entry.type, entry])), [catalogList]);
  const secrets = useQuery({
    queryKey: ["secrets"],
    queryFn: async () => read(await api.api.secrets.$get({ query: {} })),
    staleTime: 60_000,
  });
  const secretNames = useMemo(() => (secrets.data?.data ?? []).map((s: { name: string }) => s.name), [secrets.data]);

  const lastRun = useLastRun(workflow.id, runId);
  const statuses = useMemo(() => {
    if (!lastRun.data) return undefined;
    return Object.fromEntries(Object.entries(lastRun.data.blocks).map(([id, b]) => [id, b.status]));
  }, [lastRun.data]);
  const outputLines = useMemo(() => {
    const out: Record<string, string> = {};
    for (const [id, block] of Object.entries(lastRun.data?.blocks ?? {})) {
      if (block.output === undefined || block.output === null) continue;
      out[id] = outputLine(block.output);
    }
    return out;
  }, [lastRun.data]);
  // A string, so typing in a field (a new blocks array) does not read localStorage again.
  const triggerId = useMemo(() => state.local.blocks.find((b) => catalog.get(b.type)?.kind === "trigger")?.id ?? null, [catalog, state.local.blocks]);
  const lastRunOutputs = useMemo(() => {
    const out: Record<string, unknown> = {};
    for (const [id, block] of Object.entries(lastRun.data?.blocks ?? {})) if (block.output !== undefined && block.output !== null) out[id] = block.output;
    // Before any run, the input last typed into Run stands in for what the trigger will output.
    if (triggerId && out[triggerId] === undefined) {
      try {
        const remembered = window.localStorage.getItem(runInputKey(workflow.id));
        if (remembered) out[triggerId] = JSON.parse(remembered);
      } catch {
        // Not JSON: nothing to offer.
      }
    }
    return out;
  }, [lastRun.data, triggerId, workflow.id]);

  /** The selection as React Flow reports it; `select` asks the canvas to change it. */
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [selectRequest, setSelectRequest] = useState<{ ids: readonly string[] } | null>(null);
  const select = useCallback((ids: readonly string[]) => setSelectRequest({ ids }), []);
  const [panel, setPanel] = useState<SidePanel>(null);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [blocksOpen, setBlocksOpen] = useState(true);
  const [preview, setPreview] = useState<{ version: number; definition: WorkflowDefinition } | null>(null);

  // Tell the page about the saved version (header badge, other tabs).
  useEffect(() => {
    queryClient.setQueryData(["workflow", workflow.id], (old: Workflow | undefined) =>
      old && old.version !== state.base.version ? { ...old, ...state.base } : old,
    );
  }, [queryClient, state.base, workflow.id]);

  // Notices from the save path become toasts.
  useEffect(
    () =>
      store.onNotice((notice) => {
        const description = notice.details?.filter(Boolean).join("\n");
        if (notice.kind === "error") toast.error(notice.message, { description });
        else if (notice.kind === "lost") toast.warning(notice.message, { description, duration: 10_000 });
        else if (notice.kind === "conflict") toast.info(notice.message);
        else toast.warning(notice.message, { description, duration: 8_000 });
      }),
    [store],
  );

  // Others' changes: poll the head of the history while the page is visible.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") store.checkRemote().catch(() => undefined);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [store]);

  useEffect(() => {
    if (!state.remote) return;
    toast.message(`Changed by ${state.remote.by}`, { description: `Version ${state.remote.version}` });
    const timer = setTimeout(() => store.clearRemote(), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [state.remote, store]);

  useEffect(() => {
    if (!flushRef) return;
    flushRef.current = () => store.flush();
    return () => {
      flushRef.current = null;
    };
  }, [flushRef, store]);

  // Unsaved edits are flushed when the page goes away.
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (store.dirty) {
        void store.flush();
        event.preventDefault();
      }
    };
    window.addEventListener("beforeunload", warn);
    return () => {
      window.removeEventListener("beforeunload", warn);
      void store.flush().finally(() => store.dispose());
    };
  }, [store]);

  const readOnly = preview !== null;
  const [layout] = useState(() => rememberingLayout());
  const shown = useMemo(() => placeBlocks(preview?.definition ?? state.local, layout), [layout, preview, state.local]);
  const selectedBlock: Block | undefined = selected.size === 1 ? state.local.blocks.find((b) => selected.has(b.id)) : undefined;

  const onOps = useCallback((ops: EditOp[], options?: EditOptions) => store.applyOps(ops, options), [store]);
  // React Flow calls this whenever the handler or the selection changes: it must be stable and idempotent.
  const onSelectionChange = useCallback((ids: string[]) => {
    setSelected((old) => (old.size === ids.length && ids.every((id) => old.has(id)) ? old : new Set(ids)));
    if (ids.length === 1) setPanel((p) => (p?.kind === "history" || p?.kind === "block" ? p : { kind: "block" }));
  }, []);
  const onDropBlock = useCallback((type: string, at: { x: number; y: number }) => addBlockRef.current(type, at), []);
  const onInit = useCallback((instance: ReactFlowInstance<BlockNode>) => {
    flow.current = instance;
  }, []);

  const addBlock = useCallback(
    (type: string, at?: { x: number; y: number }) => {
      const entry = catalog.get(type);
      const local = store.getState().local;
      const taken = new Set(local.blocks.map((b) => b.id));
      const id = newBlockId(type, entry, taken);
      const placedNow = placeBlocks(local, layout);
      const from = selected.size === 1 ? placedNow.blocks.find((b) => selected.has(b.id)) : undefined;
      let position = at;
      if (!position && from?.position) position = { x: from.position.x + NODE_WIDTH + 80, y: from.position.y };
      if (!position) {
        const right = placedNow.blocks.reduce((max, b) => Math.max(max, (b.position?.x ?? 0) + NODE_WIDTH + 80), 0);
        position = { x: placedNow.blocks.length ? right : 0, y: placedNow.blocks[0]?.position?.y ?? 0 };
      }
      const ops: EditOp[] = [{ operation_type: "add", block_id: id, type, position }];
      if (from && entry?.kind !== "trigger" && !at) {
        const fromEntry = catalog.get(from.type);
        const branches = branchHandles(from, fromEntry).filter((h) => h !== "error");
        const handle = fromEntry?.kind === "logic" && branches.length > 0 ? branches[0] : undefined;
        ops.push({ operation_type: "connect", block_id: from.id, target_block_id: id, ...(handle ? { source_handle: handle } : {}) });
      }
      store.applyOps(ops);
      select([id]);
      setPanel({ kind: "block" });
    },
    [catalog, layout, select, selected, store],
  );

  const addBlockRef = useRef(addBlock);
  useEffect(() => {
    addBlockRef.current = addBlock;
  }, [addBlock]);

  const duplicate = useCallback(() => {
    const local = store.getState().local;
    const blocks = placeBlocks(local, layout).blocks.filter((b) => selected.has(b.id));
    if (blocks.length === 0) return;
    const taken = new Set(local.blocks.map((b) => b.id));
    const renamed = new Map<string, string>();
    const ops: EditOp[] = [];
    for (const block of blocks) {
      const id = newBlockId(block.id.replace(/_\d+$/, ""), undefined, taken);
      taken.add(id);
      renamed.set(block.id, id);
      ops.push({
        operation_type: "add",
        block_id: id,
        type: block.type,
        params: structuredClone(block.params),
        position: { x: (block.position?.x ?? 0) + 40, y: (block.position?.y ?? 0) + 60 },
        ...(block.name ? { name: `${block.name} (copy)` } : {}),
        ...(block.retry ? { retry: block.retry } : {}),
        ...(block.enabled === false ? { enabled: false } : {}),
      });
    }
    for (const edge of local.edges) {
      const s = renamed.get(edge.source);
      const t = renamed.get(edge.target);
      if (s && t) ops.push({ operation_type: "connect", block_id: s, target_block_id: t, ...(edge.sourceHandle ? { source_handle: edge.sourceHandle } : {}) });
    }
    store.applyOps(ops);
    select([...renamed.values()]);
  }, [layout, select, selected, store]);

  const tidy = useCallback(() => {
    const local = store.getState().local;
    const positions = autoLayout(local);
    const ops: EditOp[] = [];
    for (const block of local.blocks) {
      const at = positions.get(block.id);
      if (at && (block.position?.x !== Math.round(at.x) || block.position?.y !== Math.round(at.y))) {
        ops.push({ operation_type: "update", block_id: block.id, position: { x: Math.round(at.x), y: Math.round(at.y) } });
      }
    }
    store.applyOps(ops);
    requestAnimationFrame(() => void flow.current?.fitView({ padding: 0.2, maxZoom: 1, duration: 300 }));
  }, [store]);

  const changeBlock = useCallback(
    (blockId: string, change: BlockChange) => {
      const op: EditOp = { operation_type: "update", block_id: blockId };
      if (change.name !== undefined) op.name = change.name === "" ? null : change.name;
      if (change.params) op.params = change.params;
      if (change.enabled !== undefined) op.enabled = change.enabled ? null : false;
      if (change.retry !== undefined) op.retry = change.retry;
      const typing = change.params !== undefined || change.name !== undefined;
      store.applyOps([op], typing ? { debounceMs: TYPING_DEBOUNCE_MS, mergeKey: `${blockId}:${Object.keys(change.params ?? { name: 1 }).join()}` } : {});
    },
    [store],
  );

  const restore = useCallback(
    async (version: number) => {
      try {
        await store.restore(version);
        setPreview(null);
        toast.success(`Restored version ${version} as version ${store.getState().base.version}`);
      } catch (error) {
        toast.error(error instanceof ApiFailure ? error.message : "The version could not be restored.");
      }
    },
    [store],
  );

  // Keyboard: undo/redo, duplicate, command palette, Escape.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      const typing = target?.closest("input, textarea, select, [contenteditable=true], .cm-editor");
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setPaletteOpen((open) => !open);
        return;
      }
      if (typing || readOnly) return;
      if (mod && event.key.toLowerCase() === "z") {
        event.preventDefault();
        if (event.shiftKey) store.redo();
        else store.undo();
      } else if (mod && event.key.toLowerCase() === "y") {
        event.preventDefault();
        store.redo();
      } else if (mod && event.key.toLowerCase() === "d") {
        event.preventDefault();
        duplicate();
      } else if (event.key === "Escape") {
        select([]);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [duplicate, readOnly, select, store]);

  const previewVersion = useCallback(
    async (version: number | null) => {
      if (version === null || version === state.base.version) return setPreview(null);
      try {
        const v = await read(await api.api.workflows[":id"].versions[":version"].$get({ param: { id: workflow.id, version: String(version) } }));
        setPreview({ version, definition: v.definition });
      } catch (error) {
        toast.error(error instanceof ApiFailure ? error.message : "That version could not be read.");
      }
    },
    [state.base.version, workflow.id],
  );

  const suggestions = useMemo(
    () =>
      selectedBlock ? templateSuggestions({ definition: state.local, blockId: selectedBlock.id, catalog: catalogList, lastRunOutputs, secretNames }) : [],
    [catalogList, lastRunOutputs, secretNames, selectedBlock, state.local],
  );

  // A block selected under the side panel is panned into view beside it.
  const canvasBox = useRef<HTMLDivElement>(null);
  const selectedId = selected.size === 1 ? [...selected][0] : null;
  useEffect(() => {
    const instance = flow.current;
    const box = canvasBox.current?.getBoundingClientRect();
    if (!selectedId || !instance || !box || panel?.kind !== "block" || window.innerWidth < 768) return;
    const node = instance.getNode(selectedId);
    if (!node) return;
    const panelWidth = window.innerWidth >= 1536 ? 384 : 320;
    const right = instance.flowToScreenPosition({ x: node.position.x + NODE_WIDTH, y: node.position.y }).x;
    const room = box.right - panelWidth - 24;
    if (right <= room) return;
    const viewport = instance.getViewport();
    void instance.setViewport({ ...viewport, x: viewport.x - (right - room) }, { duration: 250 });
  }, [selectedId, panel]);

  const changed = useMemo(() => (state.remote ? { blockIds: new Set(state.remote.blockIds), by: state.remote.by } : null), [state.remote]);
  const workflowIssues = state.issues.get("") ?? [];
  const showPanel = panel?.kind === "variables" || panel?.kind === "history" || (panel?.kind === "block" && selectedBlock);

  const statusText =
    state.status === "saving" ? "Saving…" : state.status === "pending" ? "Unsaved changes" : state.status === "error" ? "Not saved" : `Saved · v${state.base.version}`;

  return (
    <div
      ref={root}
      // Before the first measure, a close guess: the canvas computes its first view from this size.
      style={{ height: height ?? "max(480px, calc(100dvh - 15rem))" }}
      className="relative flex min-h-[480px] flex-col overflow-hidden rounded-lg border border-stone-200 bg-white shadow-sm"
      data-testid="workflow-editor"
    >
      <div className="flex flex-wrap items-center gap-1.5 border-b border-stone-200 bg-stone-50 px-2 py-1.5">
        <Button size="sm" variant="ghost" aria-pressed={blocksOpen} onClick={() => setBlocksOpen((open) => !open)} title="Show or hide the block palette" className="max-lg:hidden">
          <PanelLeft className="size-4" aria-hidden /> Blocks
        </Button>
        <span className="mx-1 h-5 w-px bg-stone-200 max-lg:hidden" aria-hidden />
        <Button size="sm" variant="ghost" onClick={() => store.undo()} disabled={!state.canUndo || readOnly} title="Undo (Ctrl+Z)" aria-label="Undo">
          <Undo2 className="size-4" aria-hidden />
        </Button>
        <Button size="sm" variant="ghost" onClick={() => store.redo()} disabled={!state.canRedo || readOnly} title="Redo (Ctrl+Shift+Z)" aria-label="Redo">
          <Redo2 className="size-4" aria-hidden />
        </Button>
        <span className="mx-1 h-5 w-px bg-stone-200" aria-hidden />
        <Button size="sm" variant="ghost" onClick={tidy} disabled={readOnly || state.local.blocks.length === 0} title="Lay the blocks out left to right">
          <LayoutGrid className="size-4" aria-hidden /> Tidy up
        </Button>
        <Button size="sm" variant="ghost" aria-pressed={panel?.kind === "variables"} onClick={() => setPanel(panel?.kind === "variables" ? null : { kind: "variables" })}>
          <Braces className="size-4" aria-hidden /> Variables
        </Button>
        <Button size="sm" variant="ghost" aria-pressed={panel?.kind === "history"} onClick={() => setPanel(panel?.kind === "history" ? null : { kind: "history" })}>
          <History className="size-4" aria-hidden /> History
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setPaletteOpen(true)} title="Add a block, go to a block, or run an action (Ctrl+K)">
          <Plus className="size-4" aria-hidden /> Add <kbd className="hidden rounded border border-stone-200 bg-white px-1 font-sans text-[10px] text-stone-500 sm:inline">Ctrl K</kbd>
        </Button>
        {lastRun.data && !preview && (
          <Link
            href={`/runs/${lastRun.data.id}`}
            className="ml-auto inline-flex items-center gap-1.5 rounded px-1.5 py-1 text-xs text-stone-600 hover:bg-stone-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
            title="Open the run drawn on the canvas"
            data-testid="drawn-run"
          >
            Last run <StatusPill status={lastRun.data.status} />
          </Link>
        )}
        <span
          className={cn("text-xs", !lastRun.data || preview ? "ml-auto" : "ml-2", state.status === "error" ? "text-red-700" : "text-stone-500")}
          role="status"
          aria-live="polite"
          data-testid="save-status"
        >
          {statusText}
        </span>
      </div>

      {workflowIssues.length > 0 && (
        <div className="border-b border-amber-200 bg-amber-50 px-3 py-1.5 text-xs text-amber-900" data-testid="workflow-issues">
          {workflowIssues.map((issue, i) => (
            <div key={i}>
              {issue.message}
              {issue.hint && <span className="text-amber-700"> — {issue.hint}</span>}
            </div>
          ))}
        </div>
      )}

      {preview && (
        <div className="flex flex-wrap items-center gap-2 border-b border-indigo-200 bg-indigo-50 px-3 py-1.5 text-sm text-indigo-900" data-testid="preview-banner">
          Previewing version {preview.version} (read-only).
          <Button size="sm" variant="primary" onClick={() => void restore(preview.version)}>
            Restore this version
          </Button>
          <Button size="sm" onClick={() => setPreview(null)}>
            Back to current
          </Button>
        </div>
      )}

      <div className="relative flex min-h-0 flex-1">
        <div className={cn("w-60 shrink-0 overflow-y-auto border-r border-stone-200", blocksOpen ? "hidden lg:block" : "hidden")}>
          <Palette catalog={catalogList} onAdd={(type) => !readOnly && addBlock(type)} />
        </div>
        <div ref={canvasBox} className="relative min-w-0 flex-1">
          {state.local.blocks.length === 0 && !preview && (
            <div className="pointer-events-none absolute inset-0 z-10 flex items-center justify-center">
              <div className="max-w-sm rounded-lg border border-dashed border-stone-300 bg-white/90 px-5 py-4 text-center text-sm text-stone-600">
                <p className="font-medium text-stone-900">Start with a trigger</p>
                <p className="mt-1">
                  Pick one with <span className="font-medium">Add</span> (Ctrl K), or drag it from the Blocks palette. Connect blocks by dragging from the dot
                  on one block&apos;s right edge to another.
                </p>
              </div>
            </div>
          )}
          <EditorCanvas
            definition={shown}
            catalog={catalog}
            issues={state.issues}
            statuses={preview ? undefined : statuses}
            outputs={preview ? undefined : outputLines}
            changed={changed}
            readOnly={readOnly}
            selectRequest={selectRequest}
            onSelectionChange={onSelectionChange}
            onOps={onOps}
            onDropBlock={onDropBlock}
            onInit={onInit}
          />
        </div>
        {showPanel && (
          <aside
            className="absolute inset-x-0 bottom-0 z-20 max-h-[65%] w-full overflow-y-auto border-t border-stone-200 bg-white shadow-lg md:inset-x-auto md:right-0 md:top-0 md:max-h-none md:w-80 md:border-l md:border-t-0 2xl:w-96"
            aria-label="Side panel"
          >
            <div className={cn("absolute right-2 top-2 z-10", panel?.kind === "block" && "hidden")}>
              <Button size="sm" variant="ghost" onClick={() => setPanel(null)} aria-label="Close panel">
                <X className="size-4" aria-hidden />
              </Button>
            </div>
            {panel?.kind === "history" && (
              <HistoryPanel workflowId={workflow.id} currentVersion={state.base.version} previewVersion={preview?.version ?? null} onPreview={(v) => void previewVersion(v)} onRestore={(v) => void restore(v)} />
            )}
            {panel?.kind === "variables" && (
              <VariablesPanel
                variables={state.local.variables ?? {}}
                readOnly={readOnly}
                onChange={(variables) => store.applyOps([{ operation_type: "set_variables", variables }], { debounceMs: TYPING_DEBOUNCE_MS, mergeKey: "variables" })}
              />
            )}
            {panel?.kind === "block" && selectedBlock && (
              <>
                <BlockPanel
                  key={selectedBlock.id}
                  block={selectedBlock}
                  entry={catalog.get(selectedBlock.type)}
                  issues={state.issues.get(selectedBlock.id) ?? []}
                  suggestions={suggestions}
                  secretNames={secretNames}
                  readOnly={readOnly}
                  onChange={(change) => changeBlock(selectedBlock.id, change)}
                  onClose={() => select([])}
                />
                {lastRun.data && <RunOutputPanel run={lastRun.data} blockId={selectedBlock.id} />}
              </>
            )}
          </aside>
        )}
      </div>

      <CommandPalette
        open={paletteOpen}
        onOpenChange={setPaletteOpen}
        catalog={catalogList}
        blocks={state.local.blocks}
        actions={[
          { id: "undo", label: "Undo", shortcut: "Ctrl Z", run: () => store.undo() },
          { id: "redo", label: "Redo", shortcut: "Ctrl Shift Z", run: () => store.redo() },
          { id: "tidy", label: "Tidy up the layout", run: tidy },
          { id: "history", label: "Show history", run: () => setPanel({ kind: "history" }) },
          { id: "variables", label: "Edit variables", run: () => setPanel({ kind: "variables" }) },
          { id: "fit", label: "Fit the view", run: () => void flow.current?.fitView({ padding: 0.2, maxZoom: 1, duration: 300 }) },
        ]}
        onAdd={(type) => addBlock(type)}
        onSelectBlock={(id) => {
          select([id]);
          setPanel({ kind: "block" });
          const node = flow.current?.getNode(id);
          if (node) void flow.current?.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + 40, { zoom: 1, duration: 300 });
        }}
      />
    </div>
  );
}
