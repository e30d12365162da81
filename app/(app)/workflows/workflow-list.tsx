"use client";

/**
 * `/workflows`: the organization's workflows, newest first, with a name search kept in the URL
 * (?q=) and Previous/Next paging over the API's cursors.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight, Plus, Search, SearchX, Workflow, X } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { useMe } from "@/app/(app)/shell";
import { api, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { inputClass } from "@/app/_ui/field";
import { PageHeader } from "@/app/_ui/page";
import { EmptyState, ErrorState, TableSkeleton } from "@/app/_ui/states";
import { cn } from "@/app/_ui/cn";
import { NewWorkflowDialog } from "./_components/workflow-dialogs";
import { WorkflowRows } from "./workflow-rows";

const PAGE_SIZE = 20;
const SEARCH_DELAY_MS = 250;

function NewWorkflowButton() {
  return (
    <NewWorkflowDialog
      trigger={
        <Button variant="primary">
          <Plus className="size-4" aria-hidden /> New workflow
        </Button>
      }
    />
  );
}

export function WorkflowList() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const q = (params.get("q") ?? "").trim();
  const [text, setText] = useState(q);
  // Each entry is the cursor of a page after the first; the stack belongs to one search.
  const [paging, setPaging] = useState<{ q: string; stack: string[] }>({ q, stack: [] });
  const stack = paging.q === q ? paging.stack : [];
  const cursor = stack.at(-1);
  const me = useMe();

  // The URL follows the box after a pause in typing; Back and Forward bring the box along.
  useEffect(() => {
    const wanted = text.trim();
    if (wanted === q) return;
    const timer = setTimeout(() => {
      router.replace(wanted ? `${pathname}?q=${encodeURIComponent(wanted)}` : pathname, { scroll: false });
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
    // Only typing schedules a URL change: a URL change on its own (Back) must not undo itself.
  }, [text]);

  useEffect(() => {
    setText((current) => (current.trim() === q ? current : q));
  }, [q]);

  const list = useQuery({
    queryKey: ["workflows", { q, cursor }],
    queryFn: async () =>
      read(await api.api.workflows.$get({ query: { limit: String(PAGE_SIZE), ...(q && { q }), ...(cursor && { cursor }) } })),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });

  const firstPage = stack.length === 0;
  const nothingAtAll = !q && firstPage && list.data?.data.length === 0;
  const pageNumber = stack.length + 1;

  return (
    <>
      <PageHeader
        title="Workflows"
        description="Graphs of blocks that run when a person, an agent, a webhook or a schedule starts them."
        actions={<NewWorkflowButton />}
      />
      {!nothingAtAll && (
        <div className="mb-4 flex flex-wrap items-center gap-x-3 gap-y-1">
          <div className="relative w-full sm:max-w-xs">
            <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-stone-400" aria-hidden />
            <input
              type="search"
              value={text}
              onChange={(event) => setText(event.target.value)}
              placeholder="Search by name"
              aria-label="Search workflows by name"
              maxLength={200}
              className={cn(inputClass, "pl-9 pr-9 [&::-webkit-search-cancel-button]:hidden")}
            />
            {text && (
              <button
                type="button"
                onClick={() => setText("")}
                aria-label="Clear the search"
                className="absolute right-2 top-1/2 -translate-y-1/2 rounded p-1 text-stone-400 hover:text-stone-700 focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                <X className="size-3.5" aria-hidden />
              </button>
            )}
          </div>
          <span className="text-xs empty:hidden" aria-live="polite">
            {list.isError && list.data ? (
              <span className="text-amber-700">Not refreshed: {list.error.message}</span>
            ) : (
              list.isFetching && !list.isPending && <span className="text-stone-400">Updating…</span>
            )}
          </span>
        </div>
      )}

      {list.isPending ? (
        <TableSkeleton label="Loading workflows" />
      ) : !list.data ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : nothingAtAll ? (
        <EmptyState icon={<Workflow className="size-8" aria-hidden />} title="No workflows yet" action={<NewWorkflowButton />}>
          A workflow is a graph of blocks (a trigger, then steps) that runs durably. Create one here, or let an agent create it
          through the API with an organization key.
        </EmptyState>
      ) : list.data.data.length === 0 ? (
        <EmptyState
          icon={<SearchX className="size-8" aria-hidden />}
          title={q ? `No workflows match “${q}”` : "Nothing on this page"}
          action={
            <Button onClick={() => (q ? setText("") : setPaging({ q, stack: [] }))}>{q ? "Clear the search" : "Back to the first page"}</Button>
          }
        >
          {q ? "The search looks at names, in any case. Try fewer letters." : "The workflows after this point were deleted."}
        </EmptyState>
      ) : (
        <>
          <WorkflowRows items={list.data.data} myUserId={me.data?.user?.id} />
          {(!firstPage || list.data.nextCursor) && (
            <nav aria-label="Pages" className="mt-4 flex items-center justify-between gap-3">
              <span className="text-xs text-stone-500">Page {pageNumber}</span>
              <div className="flex gap-2">
                <Button size="sm" disabled={firstPage} onClick={() => setPaging({ q, stack: stack.slice(0, -1) })}>
                  <ChevronLeft className="size-3.5" aria-hidden /> Previous
                </Button>
                <Button
                  size="sm"
                  disabled={!list.data.nextCursor || list.isPlaceholderData}
                  onClick={() => list.data.nextCursor && setPaging({ q, stack: [...stack, list.data.nextCursor] })}
                >
                  Next <ChevronRight className="size-3.5" aria-hidden />
                </Button>
              </div>
            </nav>
          )}
        </>
      )}
    </>
  );
}
