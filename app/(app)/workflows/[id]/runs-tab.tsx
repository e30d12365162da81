"use client";

/**
 * The Runs tab: the runs console scoped to this workflow (status and trigger filters, paging,
 * refreshed every 2 seconds, so runs started elsewhere — an agent, a webhook, a schedule — appear
 * without a reload), and a link to the organization-wide console with this workflow selected.
 */
import { ArrowRight } from "lucide-react";
import Link from "next/link";
import { RunsConsole } from "@/app/(app)/runs/runs-console";

export function RunsTab({ workflowId }: { workflowId: string }) {
  return (
    <div className="space-y-3">
      <div className="flex justify-end">
        <Link
          href={`/runs?workflowId=${encodeURIComponent(workflowId)}`}
          className="inline-flex items-center gap-1 rounded text-sm font-medium text-indigo-700 hover:text-indigo-500 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          Open in the runs console <ArrowRight className="size-3.5" aria-hidden />
        </Link>
      </div>
      <RunsConsole workflowId={workflowId} />
    </div>
  );
}
