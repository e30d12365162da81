"use client";

/**
 * One schedule in the list: a row of columns from 768 px up, a stacked card below. Its details
 * (the next five fire times, the last failure) open underneath it.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, ChevronDown, ChevronRight, Pencil, Trash2 } from "lucide-react";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { toast } from "sonner";
import { api, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { ConfirmDialog } from "@/app/_ui/dialog";
import { RelativeTime, formatRelative } from "@/app/_ui/time";
import { describeCron, formatInZone, viewerZone } from "./cron-text";
import type { Schedule } from "./data";
import { Switch } from "@/app/_ui/switch";

const REASONS: Record<string, string> = {
  workflow_deleted: "its workflow was deleted",
};

export const SCHEDULE_COLUMNS = "md:grid-cols-[minmax(0,1.1fr)_minmax(0,1.5fr)_minmax(0,1.3fr)_minmax(0,0.8fr)_8.5rem]";

/** `workflowName` undefined while loading, null when the workflow is gone. */
export function ScheduleItem({ schedule, workflowName, onEdit }: { schedule: Schedule; workflowName: string | null | undefined; onEdit: () => void }) {
  const queryClient = useQueryClient();
  const [showRuns, setShowRuns] = useState(false);
  const words = describeCron(schedule.cron);
  const workflowLabel = workflowName ?? (workflowName === null ? "Deleted workflow" : schedule.workflowId);
  const workflowGone = schedule.disabledReason === "workflow_deleted";

  const toggle = useMutation({
    mutationFn: async (enabled: boolean) => read(await api.api.schedules[":id"].$patch({ param: { id: schedule.id }, json: { enabled } })),
    // Pending until the list is read again, so the switch does not flick back in between.
    onSuccess: async (updated) => {
      toast.success(updated.enabled ? "Schedule enabled" : "Schedule disabled");
      await queryClient.invalidateQueries({ queryKey: ["schedules"] });
    },
    onError: (error) => toast.error(error.message),
  });
  const remove = useMutation({
    mutationFn: async () => read(await api.api.schedules[":id"].$delete({ param: { id: schedule.id } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["schedules"] });
      toast.success("Schedule deleted");
    },
    onError: (error) => toast.error(error.message),
  });

  const enabled = toggle.isPending ? Boolean(toggle.variables) : schedule.enabled;
  const next = schedule.nextRuns[0];
  return (
    <li data-testid="schedule" data-schedule-id={schedule.id} className="px-4 py-3.5 hover:bg-stone-50/60">
      <div className={`grid grid-cols-2 gap-x-4 gap-y-3 md:items-center ${SCHEDULE_COLUMNS}`}>
        <Cell label="Workflow" wide>
          {workflowName === null ? (
            <span className="text-stone-500 italic">{workflowLabel}</span>
          ) : (
            <Link href={`/workflows/${schedule.workflowId}`} className="block truncate font-medium text-stone-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600">
              {workflowLabel}
            </Link>
          )}
        </Cell>
        <Cell label="Schedule" wide>
          <p className="text-stone-900" data-testid="schedule-words">
            {words.ok ? words.text : "Unreadable cron"}
          </p>
          <p className="mt-0.5 truncate text-xs text-stone-500">
            <code className="rounded bg-stone-100 px-1 py-0.5 font-mono text-stone-700">{schedule.cron}</code>
            <span className="mx-1.5 text-stone-300">·</span>
            <span>{schedule.timezone.replaceAll("_", " ")}</span>
          </p>
        </Cell>
        <Cell label="Next run">
          {next ? (
            <>
              <p className="text-stone-900">
                <RelativeTime iso={next} />
              </p>
              <p className="mt-0.5 text-xs text-stone-500">{formatInZone(next, schedule.timezone)}</p>
              <button
                type="button"
                onClick={() => setShowRuns(!showRuns)}
                aria-expanded={showRuns}
                className="mt-0.5 inline-flex items-center gap-0.5 rounded text-xs font-medium text-indigo-700 hover:text-indigo-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                {showRuns ? <ChevronDown className="size-3.5" aria-hidden /> : <ChevronRight className="size-3.5" aria-hidden />}
                {showRuns ? "Hide" : "Show"} the next {schedule.nextRuns.length}
              </button>
            </>
          ) : (
            <p className="text-stone-500" data-testid="no-next-runs">
              {enabled ? "No upcoming runs" : "Off: no upcoming runs"}
            </p>
          )}
        </Cell>
        <Cell label="Last fired">
          {schedule.lastFiredAt ? (
            schedule.lastRunId ? (
              <Link href={`/runs/${schedule.lastRunId}`} className="text-stone-700 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600">
                <RelativeTime iso={schedule.lastFiredAt} />
              </Link>
            ) : (
              <RelativeTime iso={schedule.lastFiredAt} className="text-stone-700" />
            )
          ) : (
            <span className="text-stone-400">Never</span>
          )}
        </Cell>
        <div className="col-span-2 flex items-center gap-1 border-t border-stone-100 pt-2 md:col-span-1 md:justify-end md:border-0 md:pt-0">
          <Switch
            checked={enabled}
            onCheckedChange={(value) => toggle.mutate(value)}
            disabled={toggle.isPending || (workflowGone && !enabled)}
            label={`${enabled ? "Disable" : "Enable"} the schedule of ${workflowLabel}`}
          />
          <span className="ml-1 w-7 text-xs text-stone-500 md:hidden">{enabled ? "On" : "Off"}</span>
          <div className="ml-auto flex md:ml-2">
            <Button variant="ghost" size="sm" onClick={onEdit} aria-label={`Edit the schedule of ${workflowLabel}`} title="Edit">
              <Pencil className="size-3.5" aria-hidden />
            </Button>
            <ConfirmDialog
              trigger={
                <Button variant="ghost" size="sm" aria-label={`Delete the schedule of ${workflowLabel}`} title="Delete">
                  <Trash2 className="size-3.5" aria-hidden />
                </Button>
              }
              title="Delete this schedule?"
              confirmLabel="Delete schedule"
              onConfirm={() => remove.mutateAsync()}
            >
              The schedule of <strong className="text-stone-800">{workflowLabel}</strong> at <code className="font-mono text-stone-800">{schedule.cron}</code> ({schedule.timezone}) stops
              for good. Runs it already started are kept.
            </ConfirmDialog>
          </div>
        </div>
      </div>
      {schedule.disabledReason && !schedule.enabled && (
        <p className="mt-2 text-xs text-amber-800">Turned off by Weft: {REASONS[schedule.disabledReason] ?? schedule.disabledReason}.</p>
      )}
      {schedule.lastError && <LastError error={schedule.lastError} />}
      {showRuns && next && <NextRuns runs={schedule.nextRuns} zone={schedule.timezone} input={schedule.input} />}
    </li>
  );
}

/** A column's content, with its label shown only where the columns stack (under 768 px). */
function Cell({ label, wide, children }: { label: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={`min-w-0 text-sm ${wide ? "col-span-2 md:col-span-1" : ""}`}>
      <p className="mb-0.5 text-[11px] font-medium uppercase tracking-wide text-stone-400 md:hidden">{label}</p>
      {children}
    </div>
  );
}

function NextRuns({ runs, zone, input }: { runs: string[]; zone: string; input: unknown }) {
  const mine = viewerZone();
  return (
    <div className="mt-3 overflow-x-auto rounded-md border border-stone-200 bg-stone-50">
      <p className="truncate border-b border-stone-200 px-3 py-1.5 text-xs text-stone-500">
        Each run starts with{" "}
        {input === null || input === undefined ? "no input" : <code className="font-mono text-stone-700">{JSON.stringify(input)}</code>}
      </p>
      <table className="min-w-full text-xs" aria-label="The next runs">
        <thead>
          <tr className="text-left text-stone-500">
            <th className="px-3 py-1.5 font-medium">When</th>
            <th className="px-3 py-1.5 font-medium">In {zone.replaceAll("_", " ")}</th>
            <th className="px-3 py-1.5 font-medium">Your time ({mine.replaceAll("_", " ")})</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-200">
          {runs.map((iso) => (
            <tr key={iso} data-testid="next-run">
              <td className="whitespace-nowrap px-3 py-1.5 text-stone-600">{formatRelative(iso)}</td>
              <td className="whitespace-nowrap px-3 py-1.5 font-mono text-stone-900">{formatInZone(iso, zone)}</td>
              <td className="whitespace-nowrap px-3 py-1.5 font-mono text-stone-600">{formatInZone(iso, mine)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LastError({ error }: { error: NonNullable<Schedule["lastError"]> }) {
  const invalid = error.code === "workflow_invalid" && error.validation_errors && error.validation_errors.length > 0;
  return (
    <div role="status" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-xs text-red-800">
      <p className="flex items-start gap-1.5">
        <AlertTriangle className="mt-px size-3.5 shrink-0" aria-hidden />
        <span>
          <strong className="font-semibold">The last run did not start</strong> ({error.attempts} {error.attempts === 1 ? "attempt" : "attempts"}, last <RelativeTime iso={error.at} />):{" "}
          {error.message}
        </span>
      </p>
      {invalid && (
        <div className="mt-2 overflow-x-auto">
          <table className="min-w-full text-left">
            <thead>
              <tr className="text-red-700">
                <th className="py-1 pr-4 font-medium">Block</th>
                <th className="py-1 pr-4 font-medium">Field</th>
                <th className="py-1 font-medium">Error</th>
              </tr>
            </thead>
            <tbody>
              {error.validation_errors?.map((item, index) => (
                <tr key={index} className="border-t border-red-200/70">
                  <td className="py-1 pr-4">{item.block_id ? <code className="font-mono">{item.block_id}</code> : <span className="italic">whole workflow</span>}</td>
                  <td className="py-1 pr-4 font-mono">{item.field ?? "—"}</td>
                  <td className="py-1">{item.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
