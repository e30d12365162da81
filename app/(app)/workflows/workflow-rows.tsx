"use client";

/**
 * The rows of the workflow list: a dense table from 768 px up, stacked cards below it. Each row
 * links to the workflow, says who changed it last and how its newest run went, and has a menu
 * with rename and delete.
 */
import * as Dropdown from "@radix-ui/react-dropdown-menu";
import { MoreHorizontal, Pencil, Trash2 } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { cn } from "@/app/_ui/cn";
import { table } from "@/app/_ui/page";
import { StatusPill } from "@/app/_ui/status";
import { RelativeTime } from "@/app/_ui/time";
import type { WorkflowListItem } from "@/lib/resources/workflow";
import { actorLabel } from "./_components/actor";
import { DeleteWorkflowDialog, RenameWorkflowDialog } from "./_components/workflow-dialogs";

export function WorkflowRows({ items, myUserId }: { items: WorkflowListItem[]; myUserId?: string }) {
  return (
    <>
      <div className={cn(table.wrap, "hidden md:block")}>
        <table className={table.table}>
          <thead>
            <tr>
              <th scope="col" className={table.th}>Workflow</th>
              <th scope="col" className={cn(table.th, "w-28")}>Version</th>
              <th scope="col" className={cn(table.th, "w-52")}>Updated</th>
              <th scope="col" className={cn(table.th, "w-56")}>Last run</th>
              <th scope="col" className={cn(table.th, "w-12")}><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {items.map((workflow) => (
              <tr key={workflow.id} className={table.tr} data-testid="workflow-row">
                <td className={cn(table.td, "max-w-md")}>
                  <WorkflowName workflow={workflow} />
                </td>
                <td className={cn(table.td, "whitespace-nowrap")}>
                  <span className="font-mono text-xs text-stone-700">v{workflow.version}</span>
                  <span className="block text-xs text-stone-500">{blockCount(workflow)}</span>
                </td>
                <td className={cn(table.td, "whitespace-nowrap")}>
                  <Updated workflow={workflow} myUserId={myUserId} />
                </td>
                <td className={cn(table.td, "whitespace-nowrap")}>
                  <LastRun workflow={workflow} />
                </td>
                <td className={cn(table.td, "text-right")}>
                  <RowActions workflow={workflow} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="space-y-3 md:hidden">
        {items.map((workflow) => (
          <li key={workflow.id} className="rounded-lg border border-stone-200 bg-white p-4 shadow-sm" data-testid="workflow-card">
            <div className="flex items-start justify-between gap-3">
              <div className="min-w-0 flex-1">
                <WorkflowName workflow={workflow} />
              </div>
              <RowActions workflow={workflow} />
            </div>
            <div className="mt-3 flex flex-wrap items-center gap-x-3 gap-y-2 text-xs text-stone-500">
              <LastRun workflow={workflow} />
              <span>
                <span className="font-mono text-stone-700">v{workflow.version}</span> · {blockCount(workflow)}
              </span>
              <Updated workflow={workflow} myUserId={myUserId} inline />
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

function blockCount(workflow: WorkflowListItem): string {
  const n = workflow.definition.blocks.length;
  return n === 1 ? "1 block" : `${n} blocks`;
}

function WorkflowName({ workflow }: { workflow: WorkflowListItem }) {
  return (
    <>
      <Link
        href={`/workflows/${workflow.id}`}
        className="block truncate font-medium text-stone-900 hover:text-indigo-700 focus-visible:rounded focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        {workflow.name}
      </Link>
      {workflow.description && <p className="mt-0.5 line-clamp-2 text-xs text-stone-500 md:truncate">{workflow.description}</p>}
    </>
  );
}

function Updated({ workflow, myUserId, inline }: { workflow: WorkflowListItem; myUserId?: string; inline?: boolean }) {
  const by = actorLabel(workflow.updatedBy, myUserId);
  return (
    <span className={inline ? undefined : "block"}>
      {inline && "Updated "}
      <RelativeTime iso={workflow.updatedAt} className={inline ? undefined : "text-stone-700"} />
      {by && <span className={inline ? undefined : "block text-xs text-stone-500"}> by {by}</span>}
    </span>
  );
}

function LastRun({ workflow }: { workflow: WorkflowListItem }) {
  const run = workflow.lastRun;
  if (!run) return <span className="text-xs text-stone-400">Never run</span>;
  return (
    <Link
      href={`/runs/${run.id}`}
      aria-label={`Last run: ${run.status}, open it`}
      className="inline-flex items-center gap-2 rounded-md hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
    >
      <StatusPill status={run.status} />
      <RelativeTime iso={run.createdAt} className="text-xs text-stone-500" />
    </Link>
  );
}

const menuItem =
  "flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-stone-100";

function RowActions({ workflow }: { workflow: WorkflowListItem }) {
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <>
      <Dropdown.Root>
        <Dropdown.Trigger asChild>
          <button
            type="button"
            aria-label={`Actions for ${workflow.name}`}
            className="inline-flex size-8 items-center justify-center rounded-md text-stone-500 hover:bg-stone-100 hover:text-stone-800 focus-visible:outline-2 focus-visible:outline-indigo-600 data-[state=open]:bg-stone-100"
          >
            <MoreHorizontal className="size-4" aria-hidden />
          </button>
        </Dropdown.Trigger>
        <Dropdown.Portal>
          <Dropdown.Content align="end" sideOffset={4} className="z-50 min-w-40 rounded-lg border border-stone-200 bg-white p-1 shadow-lg">
            <Dropdown.Item className={cn(menuItem, "text-stone-700")} onSelect={() => setRenaming(true)}>
              <Pencil className="size-4" aria-hidden /> Rename
            </Dropdown.Item>
            <Dropdown.Item className={cn(menuItem, "text-red-700 data-[highlighted]:bg-red-50")} onSelect={() => setDeleting(true)}>
              <Trash2 className="size-4" aria-hidden /> Delete
            </Dropdown.Item>
          </Dropdown.Content>
        </Dropdown.Portal>
      </Dropdown.Root>
      <RenameWorkflowDialog workflow={workflow} open={renaming} onOpenChange={setRenaming} />
      <DeleteWorkflowDialog workflow={workflow} open={deleting} onOpenChange={setDeleting} />
    </>
  );
}
