"use client";

/**
 * The editor's history: a workflow's versions, newest first. Clicking a version previews it on the
 * canvas; a previewed older version can be restored (saved again as a new version) after a
 * confirmation. `HistoryPanel` fetches; `HistoryList` only draws, so it can be shown with any data.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { Bot, History, RotateCcw } from "lucide-react";
import { useEffect, useRef } from "react";
import { api, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { cn } from "@/app/_ui/cn";
import { ConfirmDialog } from "@/app/_ui/dialog";
import { ErrorState, Skeleton } from "@/app/_ui/states";
import { RelativeTime } from "@/app/_ui/time";
import type { WorkflowVersionSummary } from "@/lib/resources/workflow";
import { useMe } from "@/app/(app)/shell";
import { actorLabel } from "@/app/(app)/workflows/_components/actor";

/** One row of the history: who saved it, what it did in words, and how many drag saves it stands for. */
export type VersionItem = WorkflowVersionSummary;

export interface HistoryPanelProps {
  workflowId: string;
  /** The workflow's saved version; history is read again whenever it changes. */
  currentVersion: number;
  /** The version drawn on the canvas instead of the current one, or null. */
  previewVersion: number | null;
  onPreview: (version: number | null) => void;
  onRestore: (version: number) => Promise<unknown> | void;
}

const PAGE_SIZE = "50";

/** The versions of a workflow, a page of 50 at a time, under the query key ["workflow-versions", id]. */
export function useWorkflowVersions(workflowId: string) {
  return useInfiniteQuery({
    queryKey: ["workflow-versions", workflowId],
    queryFn: async ({ pageParam }): Promise<{ data: VersionItem[]; nextCursor: string | null }> =>
      read(await api.api.workflows[":id"].versions.$get({ param: { id: workflowId }, query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function HistoryPanel({ workflowId, currentVersion, previewVersion, onPreview, onRestore }: HistoryPanelProps) {
  const versions = useWorkflowVersions(workflowId);
  const me = useMe();
  const { refetch } = versions;

  // A save (ours, an agent's, a restore) makes a new version: read the list again. The first
  // render needs no refetch, the query is loading already.
  const seen = useRef(currentVersion);
  useEffect(() => {
    if (seen.current === currentVersion) return;
    seen.current = currentVersion;
    void refetch();
  }, [currentVersion, refetch]);

  return (
    <HistoryList
      items={versions.data?.pages.flatMap((page) => page.data)}
      loading={versions.isPending}
      error={versions.isError ? versions.error : null}
      onRetry={() => void refetch()}
      hasMore={versions.hasNextPage}
      loadingMore={versions.isFetchingNextPage}
      onLoadMore={() => void versions.fetchNextPage()}
      myUserId={me.data?.user?.id}
      currentVersion={currentVersion}
      previewVersion={previewVersion}
      onPreview={onPreview}
      onRestore={onRestore}
    />
  );
}

export interface HistoryListProps {
  items: VersionItem[] | undefined;
  loading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
  /** The signed-in user, whose versions read "you". */
  myUserId?: string;
  currentVersion: number;
  previewVersion: number | null;
  onPreview: (version: number | null) => void;
  onRestore: (version: number) => Promise<unknown> | void;
}

/** The history as a list, from data passed in (see HistoryPanel for the fetching one). */
export function HistoryList(props: HistoryListProps) {
  const { items, loading, error, onRetry, hasMore, loadingMore, onLoadMore } = props;
  return (
    <section aria-labelledby="history-heading" className="flex h-full min-h-0 flex-col bg-white">
      <header className="border-b border-stone-200 px-3 py-2.5">
        <h2 id="history-heading" className="flex items-center gap-1.5 text-sm font-semibold text-stone-900">
          <History className="size-4 text-stone-400" aria-hidden /> History
        </h2>
        <p className="mt-0.5 text-xs text-stone-500">Click a version to preview it on the canvas.</p>
      </header>
      <div className="min-h-0 flex-1 overflow-y-auto">
        {error ? (
          <div className="p-3">
            <ErrorState error={error} onRetry={onRetry} />
          </div>
        ) : loading || !items ? (
          <HistorySkeleton />
        ) : items.length === 0 ? (
          <p className="px-3 py-8 text-center text-sm text-stone-500">No saved versions yet. Each save adds one here.</p>
        ) : (
          <>
            <ol className="divide-y divide-stone-100">
              {items.map((item) => (
                <VersionRow key={item.version} item={item} {...props} />
              ))}
            </ol>
            {hasMore && (
              <div className="border-t border-stone-100 p-2.5">
                <Button size="sm" className="w-full" onClick={onLoadMore} disabled={loadingMore}>
                  {loadingMore ? "Loading…" : "Load older"}
                </Button>
              </div>
            )}
          </>
        )}
      </div>
    </section>
  );
}

function HistorySkeleton() {
  return (
    <div role="status" aria-label="Loading history" className="divide-y divide-stone-100">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="space-y-2 px-3 py-3">
          <div className="flex items-center gap-2">
            <Skeleton className="h-4 w-8" />
            <Skeleton className="h-4 w-20" />
            <Skeleton className="ml-auto h-3 w-12" />
          </div>
          <Skeleton className="h-3 w-3/4" />
        </div>
      ))}
    </div>
  );
}

/** Who saved a version, from `actorInfo` when present, else from the bare actor id. */
function who(item: VersionItem, myUserId: string | undefined): string {
  if (item.actorInfo) return actorLabel(item.actorInfo, myUserId) ?? "someone";
  if (item.actor === "system") return "Weft";
  if (item.actor.startsWith("api_key:")) return "an agent key";
  if (myUserId && item.actor === `user:${myUserId}`) return "you";
  return "a member";
}

function isAgent(item: VersionItem): boolean {
  return item.actorInfo ? item.actorInfo.kind === "api_key" : item.actor.startsWith("api_key:");
}

/** What the source adds to a row: "restored v3", "created", nothing for an ordinary edit. */
function sourceLabel(source: string): string | null {
  if (source === "edit") return null;
  if (source === "create") return "created";
  const restored = /^restore:(\d+)$/.exec(source);
  return restored ? `restored v${restored[1]}` : source;
}

function changeLine(item: VersionItem): string {
  if (item.summary) return item.summary;
  if (item.source === "create") return "Created the workflow.";
  const n = item.opCount;
  return n === 0 ? "No changes." : `${n} ${n === 1 ? "change" : "changes"}.`;
}

function VersionRow({ item, myUserId, currentVersion, previewVersion, onPreview, onRestore }: { item: VersionItem } & HistoryListProps) {
  const current = item.version === currentVersion;
  const previewed = item.version === previewVersion;
  const source = sourceLabel(item.source);
  const folded = Math.max(0, item.folded - 1);

  return (
    <li className={cn("relative", previewed ? "bg-indigo-50" : "hover:bg-stone-50")}>
      {previewed && <span aria-hidden className="absolute inset-y-0 left-0 w-0.5 bg-indigo-500" />}
      <button
        type="button"
        aria-pressed={previewed}
        aria-label={`Version ${item.version}${current ? " (current)" : ""}, ${previewed ? "previewing; click to stop" : "click to preview"}`}
        onClick={() => onPreview(previewed || current ? null : item.version)}
        className="block w-full px-3 py-2.5 text-left focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600"
      >
        <span className="flex items-center gap-1.5 text-sm">
          <span className="font-mono text-xs font-semibold text-stone-900">v{item.version}</span>
          <span className="min-w-0 truncate text-stone-700">{who(item, myUserId)}</span>
          {isAgent(item) && (
            <span className="inline-flex shrink-0 items-center gap-0.5 rounded bg-violet-50 px-1 py-px text-[10px] font-medium text-violet-700 ring-1 ring-inset ring-violet-200">
              <Bot className="size-3" aria-hidden /> agent
            </span>
          )}
          <RelativeTime iso={item.createdAt} className="ml-auto shrink-0 pl-2 text-xs text-stone-500" />
        </span>
        <span className="mt-1 line-clamp-2 text-xs text-stone-600">{changeLine(item)}</span>
        {(current || source || folded > 0) && (
          <span className="mt-1.5 flex flex-wrap items-center gap-1">
            {current && <Badge className="bg-indigo-600 text-white ring-indigo-600">current</Badge>}
            {source && <Badge className="bg-stone-100 text-stone-600 ring-stone-200">{source}</Badge>}
            {folded > 0 && (
              <span className="text-[11px] text-stone-500" title={`${folded} earlier ${folded === 1 ? "save" : "saves"} folded into this one`}>
                +{folded} {folded === 1 ? "save" : "saves"}
              </span>
            )}
          </span>
        )}
      </button>
      {previewed && !current && (
        <div className="flex items-center justify-between gap-2 px-3 pb-2.5">
          <span className="text-xs text-indigo-900">Previewing on the canvas</span>
          <ConfirmDialog
            trigger={
              <Button size="sm" variant="primary">
                <RotateCcw className="size-3.5" aria-hidden /> Restore
              </Button>
            }
            title={`Restore version ${item.version}?`}
            confirmLabel={`Restore v${item.version}`}
            onConfirm={() => onRestore(item.version)}
          >
            Version {item.version}&rsquo;s blocks and connections are saved as a new version, after v{currentVersion}. Nothing is lost: every version stays in
            the history.
          </ConfirmDialog>
        </div>
      )}
    </li>
  );
}

function Badge({ className, children }: { className: string; children: string }) {
  return <span className={cn("rounded px-1.5 py-px text-[10px] font-medium ring-1 ring-inset", className)}>{children}</span>;
}
