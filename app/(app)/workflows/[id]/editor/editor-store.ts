/**
 * The editor's state and its one save path (docs/editor.md). Every change a person makes is a
 * local edit of the definition; the store turns the difference from the last saved version into
 * EditOps (`diffToEditOps`, the engine's own) and posts them to the patch endpoint with `If-Match`.
 *
 * - Saves are debounced (typing in a field becomes one `update`) and never overlap; edits made while
 *   a save is in flight are carried over the server's answer.
 * - The server is the judge: its definition replaces the local one, and its skips and validation
 *   errors are kept per block for the canvas and the side panel.
 * - A 412 fetches the newer version, says who changed it, and sends the same local change again
 *   against it; what the server then skips is reported as lost.
 * - Others' changes (an agent's patch, another member) are noticed by polling the head of the
 *   history, merged under any unsaved local edit, and marked for a short highlight.
 * - Undo and redo apply the inverse difference of an edit as a new edit, so they are saved (and
 *   seen by others) like any other change.
 *
 * Framework-free: React reads it through `useSyncExternalStore` (./use-editor.ts).
 */
import { diffToEditOps } from "@/lib/engine/diff";
import type { WorkflowDefinition } from "@/lib/engine/model";
import type { EditOp, SkippedItem, ValidationError } from "@/lib/engine/ops";
import { applyLocalOps, touchedBlocks } from "./local-ops";
import type { BlockIssue } from "./types";

export interface SavedWorkflow {
  id: string;
  version: number;
  definition: WorkflowDefinition;
}

export interface PatchAnswer {
  workflow: SavedWorkflow;
  skipped_items: SkippedItem[];
  validation_errors: ValidationError[];
}

export interface HeadVersion {
  version: number;
  /** Who saved it, in words ("agent key ci-bot", "Ada"). */
  by: string;
}

/** What the store needs from the server; the page passes the typed API client's calls. */
export interface EditorTransport {
  patch(ops: EditOp[], ifMatch: number): Promise<{ ok: true; answer: PatchAnswer } | { ok: false; current: number }>;
  restore(version: number, ifMatch: number): Promise<{ ok: true; answer: PatchAnswer } | { ok: false; current: number }>;
  fetchWorkflow(): Promise<SavedWorkflow>;
  head(): Promise<HeadVersion | null>;
}

export type SaveStatus = "saved" | "pending" | "saving" | "error";

export interface RemoteChange {
  by: string;
  version: number;
  blockIds: string[];
  at: number;
}

export interface EditorNotice {
  kind: "conflict" | "lost" | "error" | "skipped";
  message: string;
  details?: string[];
}

export interface EditorState {
  /** The last version the server confirmed. */
  base: SavedWorkflow;
  /** What the canvas shows: base plus unsaved local edits. */
  local: WorkflowDefinition;
  status: SaveStatus;
  /** The server's skips and validation errors from the last save, by block id ("" = the workflow). */
  issues: ReadonlyMap<string, BlockIssue[]>;
  remote: RemoteChange | null;
  canUndo: boolean;
  canRedo: boolean;
}

interface HistoryEntry {
  before: WorkflowDefinition;
  after: WorkflowDefinition;
  /** Consecutive edits with the same key within a second merge into one undo step (typing). */
  key?: string;
  at: number;
}

export interface EditOptions {
  /** Merge with the previous undo step when it has the same key and is recent (typing into one field). */
  mergeKey?: string;
  /** Milliseconds to wait for more edits before saving (0: structural edits save at once). */
  debounceMs?: number;
}

const MERGE_WINDOW_MS = 1_000;
const UNDO_LIMIT = 100;

/** Maps a save's skips (by op index) and validation errors to the blocks they are about. */
export function issuesByBlock(answer: Pick<PatchAnswer, "skipped_items" | "validation_errors">): Map<string, BlockIssue[]> {
  const issues = new Map<string, BlockIssue[]>();
  const push = (blockId: string | null | undefined, issue: BlockIssue) => {
    const key = blockId ?? "";
    issues.set(key, [...(issues.get(key) ?? []), issue]);
  };
  for (const item of answer.skipped_items) {
    const params = item.details?.params;
    const field = Array.isArray(params) && typeof params[0] === "string" ? params[0] : undefined;
    push(item.block_id ?? null, { source: "skip", code: item.reason_code, message: item.reason, hint: item.hint, ...(field && { field }) });
  }
  for (const error of answer.validation_errors) {
    push(error.block_id, { source: "validation", code: error.code, message: error.error, ...(error.field && { field: error.field }) });
  }
  return issues;
}

export class EditorStore {
  private state: EditorState;
  private readonly listeners = new Set<() => void>();
  private readonly noticeListeners = new Set<(notice: EditorNotice) => void>();
  private undoStack: HistoryEntry[] = [];
  private redoStack: HistoryEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight = false;
  private again = false;
  private disposed = false;

  constructor(
    initial: SavedWorkflow,
    private readonly transport: EditorTransport,
  ) {
    this.state = {
      base: initial,
      local: initial.definition,
      status: "saved",
      issues: new Map(),
      remote: null,
      canUndo: false,
      canRedo: false,
    };
  }

  getState = (): EditorState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  onNotice(listener: (notice: EditorNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Unsaved local edits exist (or a save is under way). */
  get dirty(): boolean {
    return this.inFlight || this.timer !== null || this.state.local !== this.state.base.definition;
  }

  private set(patch: Partial<EditorState>): void {
    this.state = { ...this.state, ...patch, canUndo: this.undoStack.length > 0, canRedo: this.redoStack.length > 0 };
    for (const listener of this.listeners) listener();
  }

  private notify(notice: EditorNotice): void {
    for (const listener of this.noticeListeners) listener(notice);
  }

  /** Applies a local edit (a function of the shown definition) and schedules its save. */
  edit(change: (definition: WorkflowDefinition) => WorkflowDefinition, options: EditOptions = {}): void {
    const before = this.state.local;
    const after = change(before);
    if (after === before) return;
    const now = Date.now();
    const last = this.undoStack.at(-1);
    if (options.mergeKey && last?.key === options.mergeKey && now - last.at < MERGE_WINDOW_MS) {
      last.after = after;
      last.at = now;
    } else {
      this.undoStack.push({ before, after, key: options.mergeKey, at: now });
      if (this.undoStack.length > UNDO_LIMIT) this.undoStack.shift();
    }
    this.redoStack = [];
    this.set({ local: after, status: "pending" });
    this.schedule(options.debounceMs ?? 0);
  }

  /** Applies ops to the shown definition as one local edit. */
  applyOps(ops: EditOp[], options: EditOptions = {}): void {
    if (ops.length > 0) this.edit((definition) => applyLocalOps(definition, ops), options);
  }

  undo(): void {
    const entry = this.undoStack.pop();
    if (!entry) return;
    this.redoStack.push(entry);
    this.set({ local: applyLocalOps(this.state.local, diffToEditOps(entry.after, entry.before)), status: "pending" });
    this.schedule(0);
  }

  redo(): void {
    const entry = this.redoStack.pop();
    if (!entry) return;
    this.undoStack.push(entry);
    this.set({ local: applyLocalOps(this.state.local, diffToEditOps(entry.before, entry.after)), status: "pending" });
    this.schedule(0);
  }

  /** Saves pending edits now (the Save shortcut, leaving the page). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    return this.save();
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save();
    }, delay);
  }

  /** One save at a time; a save asked for while one is in flight runs right after it. */
  private async save(opsAgainst?: { ops: EditOp[] }): Promise<void> {
    if (this.disposed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const { base } = this.state;
    const sent = this.state.local;
    const ops = opsAgainst?.ops ?? diffToEditOps(base.definition, sent);
    if (ops.length === 0) {
      this.set({ status: "saved", local: base.definition });
      return;
    }
    this.inFlight = true;
    this.set({ status: "saving" });
    try {
      const result = await this.transport.patch(ops, base.version);
      if (result.ok) {
        this.accept(result.answer, ops, sent);
        const lost = result.answer.skipped_items;
        if (opsAgainst && lost.length > 0) {
          this.notify({ kind: "lost", message: `${lost.length} of your changes no longer applied and were not saved`, details: lost.map((s) => `${s.block_id ?? "workflow"}: ${s.reason}`) });
        } else if (lost.length > 0) {
          this.notify({ kind: "skipped", message: lost.map((s) => s.reason).join(" "), details: lost.map((s) => s.hint) });
        }
      } else {
        await this.rebaseAfterConflict(ops, sent);
        return;
      }
    } catch (error) {
      this.inFlight = false;
      this.set({ status: "error" });
      this.notify({ kind: "error", message: error instanceof Error ? error.message : "The change could not be saved." });
      return;
    }
    this.inFlight = false;
    if (this.again || this.state.local !== this.state.base.definition) {
      this.again = false;
      this.schedule(0);
    }
  }

  /** The server saved (or skipped) `ops`: its definition becomes the base; edits made meanwhile stay on top. */
  private accept(answer: PatchAnswer, ops: EditOp[], sent: WorkflowDefinition): void {
    const meanwhile = this.state.local === sent ? [] : diffToEditOps(sent, this.state.local);
    const base = answer.workflow;
    const local = meanwhile.length > 0 ? applyLocalOps(base.definition, meanwhile) : base.definition;
    this.set({ base, local, issues: issuesByBlock(answer), status: meanwhile.length > 0 ? "pending" : "saved" });
  }

  /** 412: someone saved first. Fetch their version, say who, and send this change again against it. */
  private async rebaseAfterConflict(ops: EditOp[], sent: WorkflowDefinition): Promise<void> {
    const [latest, head] = await Promise.all([this.transport.fetchWorkflow(), this.transport.head()]);
    const meanwhile = this.state.local === sent ? [] : diffToEditOps(sent, this.state.local);
    const remote = this.remoteChange(this.state.base.definition, latest, head);
    this.set({
      base: latest,
      local: applyLocalOps(applyLocalOps(latest.definition, ops), meanwhile),
      remote,
    });
    this.notify({ kind: "conflict", message: `Changed elsewhere by ${head?.by ?? "someone else"}; your change was applied on top of version ${latest.version}.` });
    this.inFlight = false;
    // Send the same ops (plus anything typed meanwhile) against the new version: the server skips what no longer applies.
    await this.save({ ops: [...ops, ...meanwhile] });
  }

  private remoteChange(before: WorkflowDefinition, latest: SavedWorkflow, head: HeadVersion | null): RemoteChange {
    return { by: head?.by ?? "someone else", version: latest.version, blockIds: [...touchedBlocks(diffToEditOps(before, latest.definition))], at: Date.now() };
  }

  /** Called by the poller: when the head of the history moved past our base, take the new version under our edits. */
  async checkRemote(): Promise<void> {
    if (this.inFlight || this.disposed) return;
    const head = await this.transport.head();
    if (!head || head.version <= this.state.base.version || this.inFlight) return;
    const latest = await this.transport.fetchWorkflow();
    if (this.inFlight || latest.version <= this.state.base.version) return;
    const pending = diffToEditOps(this.state.base.definition, this.state.local);
    const remote = this.remoteChange(this.state.base.definition, latest, head);
    this.set({ base: latest, local: pending.length > 0 ? applyLocalOps(latest.definition, pending) : latest.definition, remote });
  }

  /** Restores an old version as a new one (one undo step). */
  async restore(version: number): Promise<void> {
    await this.flush();
    const before = this.state.local;
    const result = await this.transport.restore(version, this.state.base.version);
    if (!result.ok) {
      await this.checkRemote();
      this.notify({ kind: "conflict", message: "The workflow changed while restoring; look at the new version and try again." });
      return;
    }
    const after = result.answer.workflow.definition;
    this.undoStack.push({ before, after, at: Date.now() });
    this.redoStack = [];
    this.set({ base: result.answer.workflow, local: after, status: "saved", issues: issuesByBlock(result.answer) });
  }

  /** Clears the highlight of a remote change once it has been shown. */
  clearRemote(): void {
    if (this.state.remote) this.set({ remote: null });
  }
}
