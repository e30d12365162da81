"use client";

/**
 * `/workflows/<id>`: one workflow's frame. The header names it and holds Run, Rename and Delete;
 * the tabs (kept in ?tab=) show the canvas editor (the default), its runs, its webhook endpoints,
 * and its blocks as a table with the API snippet. An id the API answers 404 for renders the 404 page.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronLeft, Pencil, Trash2 } from "lucide-react";
import Link from "next/link";
import { notFound, usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { api, isNotFound, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { IdBadge } from "@/app/_ui/copy";
import { ErrorState, Skeleton } from "@/app/_ui/states";
import { TabPanel, Tabs } from "@/app/_ui/tabs";
import { RelativeTime } from "@/app/_ui/time";
import { DeleteWorkflowDialog, RenameWorkflowDialog } from "../_components/workflow-dialogs";
import { useMe } from "../../shell";
import { catalogQueryOptions, WorkflowEditor } from "./editor/workflow-editor";
import { OverviewTab } from "./overview-tab";
import { RunDialog } from "./run-dialog";
import { RunsTab } from "./runs-tab";
import { WebhooksTab } from "./webhooks-tab";

const TABS = [
  { value: "editor", label: "Editor" },
  { value: "overview", label: "Blocks" },
  { value: "runs", label: "Runs" },
  { value: "webhooks", label: "Webhooks" },
];

export function WorkflowPage({ id }: { id: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const pathname = usePathname();
  const params = useSearchParams();
  const tab = TABS.some((t) => t.value === params.get("tab")) ? params.get("tab")! : "editor";
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleted, setDeleted] = useState(false);
  const [drawnRun, setDrawnRun] = useState<string | null>(null);
  const flushEditor = useRef<(() => Promise<void>) | null>(null);
  const me = useMe();

  const workflow = useQuery({
    queryKey: ["workflow", id],
    queryFn: async () => read(await api.api.workflows[":id"].$get({ param: { id } })),
    // Agents edit workflows through the API while people look at them (the editor polls faster).
    refetchInterval: tab === "editor" ? false : 10_000,
    enabled: !deleted,
  });

  // The editor draws blocks from the catalog: load it beside the workflow rather than after it.
  useEffect(() => {
    if (tab === "editor") void queryClient.prefetchQuery(catalogQueryOptions);
  }, [queryClient, tab]);

  useEffect(() => {
    if (workflow.data) document.title = `${workflow.data.name} · Weft`;
  }, [workflow.data]);

  if (isNotFound(workflow.error) && !deleted) notFound();

  function selectTab(value: string) {
    const next = new URLSearchParams(params.toString());
    if (value === "editor") next.delete("tab");
    else next.set("tab", value);
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  const back = (
    <Link href="/workflows" className="inline-flex items-center gap-1 rounded text-sm text-stone-500 hover:text-stone-800 focus-visible:outline-2 focus-visible:outline-indigo-600">
      <ChevronLeft className="size-4" aria-hidden /> Workflows
    </Link>
  );

  if (workflow.isPending) {
    return (
      <div role="status" aria-label="Loading the workflow">
        {back}
        <Skeleton className="mt-3 h-8 w-72" />
        <Skeleton className="mt-3 h-4 w-96 max-w-full" />
        <Skeleton className="mt-8 h-9 w-64" />
        <Skeleton className="mt-5 h-48 w-full" />
      </div>
    );
  }
  if (!workflow.data) {
    return (
      <>
        <div className="mb-4">{back}</div>
        <ErrorState error={workflow.error} onRetry={() => void workflow.refetch()} />
      </>
    );
  }

  const wf = workflow.data;
  return (
    <>
      <div className="mb-6">
        <div className="mb-2">{back}</div>
        <div className="flex flex-col gap-4 lg:flex-row lg:items-start lg:justify-between">
          <div className="min-w-0">
            <h1 className="break-words text-2xl font-semibold tracking-tight text-stone-900">{wf.name}</h1>
            {wf.description ? (
              <p className="mt-1 max-w-2xl text-sm text-stone-600">{wf.description}</p>
            ) : (
              <p className="mt-1 text-sm text-stone-400">No description</p>
            )}
            <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-stone-500">
              <span className="rounded bg-stone-100 px-1.5 py-0.5 font-mono text-stone-700" title="The version increases with every saved change of the definition">
                v{wf.version}
              </span>
              <IdBadge id={wf.id} />
              <span>
                Updated <RelativeTime iso={wf.updatedAt} />
              </span>
              <span>
                Created <RelativeTime iso={wf.createdAt} />
              </span>
            </div>
          </div>
          <div className="flex shrink-0 flex-wrap items-center gap-2">
            <Button onClick={() => setRenaming(true)}>
              <Pencil className="size-4" aria-hidden /> Rename
            </Button>
            <Button onClick={() => setDeleting(true)} className="text-red-700 hover:bg-red-50">
              <Trash2 className="size-4" aria-hidden /> Delete
            </Button>
            <RunDialog
              workflow={wf}
              beforeRun={async () => void (await flushEditor.current?.())}
              onStarted={
                tab === "editor"
                  ? (runId) => {
                      setDrawnRun(runId);
                      void queryClient.invalidateQueries({ queryKey: ["workflow-last-run-id", wf.id] });
                    }
                  : undefined
              }
            />
          </div>
        </div>
      </div>

      <Tabs label="Workflow sections" value={tab} onValueChange={selectTab} tabs={TABS}>
        <TabPanel value="editor">
          <WorkflowEditor workflow={wf} myUserId={me.data?.user?.id} runId={drawnRun} flushRef={flushEditor} />
        </TabPanel>
        <TabPanel value="overview">
          <OverviewTab workflow={wf} />
        </TabPanel>
        <TabPanel value="runs">
          <RunsTab workflowId={wf.id} />
        </TabPanel>
        <TabPanel value="webhooks">
          <WebhooksTab workflowId={wf.id} />
        </TabPanel>
      </Tabs>

      <RenameWorkflowDialog workflow={wf} open={renaming} onOpenChange={setRenaming} />
      <DeleteWorkflowDialog
        workflow={wf}
        open={deleting}
        onOpenChange={setDeleting}
        onDeleted={() => {
          setDeleted(true);
          router.push("/workflows");
        }}
      />
    </>
  );
}
