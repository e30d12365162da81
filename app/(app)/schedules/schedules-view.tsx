"use client";

/** `/schedules`: every schedule of the organization, a page at a time, with create, edit and delete. */
import { CalendarClock, Plus } from "lucide-react";
import { useMemo, useState } from "react";
import { Button } from "@/app/_ui/button";
import { Pager, useCursorStack } from "@/app/_ui/pager";
import { PageHeader } from "@/app/_ui/page";
import { EmptyState, ErrorState, TableSkeleton } from "@/app/_ui/states";
import { useSchedulePage, useWorkflowChoices, type Schedule } from "./data";
import { SCHEDULE_COLUMNS, ScheduleItem } from "./schedule-item";
import { ScheduleDialog } from "./schedule-dialog";

export function SchedulesView() {
  const pages = useCursorStack();
  const cursor = pages.cursor;
  const page = useSchedulePage(cursor);
  const workflows = useWorkflowChoices();
  const [dialog, setDialog] = useState<{ open: boolean; schedule: Schedule | null }>({ open: false, schedule: null });
  const names = useMemo(() => new Map((workflows.data ?? []).map((workflow) => [workflow.id, workflow.name])), [workflows.data]);

  const create = (
    <Button variant="primary" onClick={() => setDialog({ open: true, schedule: null })}>
      <Plus className="size-4" aria-hidden /> New schedule
    </Button>
  );
  const schedules = page.data?.data ?? [];
  const nameOf = (schedule: Schedule): string | null | undefined => {
    const name = names.get(schedule.workflowId);
    if (name !== undefined) return name;
    if (schedule.disabledReason === "workflow_deleted") return null;
    return workflows.isSuccess ? null : undefined;
  };

  return (
    <>
      <PageHeader title="Schedules" description="Workflows that start on their own, on a cron, in the time zone you choose." actions={create} />
      {page.isPending ? (
        <TableSkeleton label="Loading schedules" />
      ) : page.isError ? (
        <ErrorState error={page.error} onRetry={() => void page.refetch()} />
      ) : schedules.length === 0 && !cursor ? (
        <EmptyState icon={<CalendarClock className="size-8" aria-hidden />} title="No schedules yet" action={create}>
          A schedule starts a run of a workflow at set times, such as every weekday at 09:00 in Berlin, with the input you give it.
        </EmptyState>
      ) : (
        <div className="overflow-hidden rounded-lg border border-stone-200 bg-white shadow-sm">
          <div className={`hidden gap-x-4 border-b border-stone-200 bg-stone-50 px-4 py-2.5 text-xs font-medium uppercase tracking-wide text-stone-500 md:grid ${SCHEDULE_COLUMNS}`}>
            <span>Workflow</span>
            <span>Schedule</span>
            <span>Next run</span>
            <span>Last fired</span>
            <span className="text-right">Enabled</span>
          </div>
          <ul className="divide-y divide-stone-200">
            {schedules.map((schedule) => (
              <ScheduleItem key={schedule.id} schedule={schedule} workflowName={nameOf(schedule)} onEdit={() => setDialog({ open: true, schedule })} />
            ))}
          </ul>
          <Pager stack={pages} nextCursor={page.data.nextCursor} />
        </div>
      )}
      <ScheduleDialog open={dialog.open} onOpenChange={(open) => setDialog({ ...dialog, open })} schedule={dialog.schedule} />
    </>
  );
}
