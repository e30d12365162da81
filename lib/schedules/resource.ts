/**
 * The schedule resource the API returns (docs/runs.md, "Schedules"; its shape is declared in
 * lib/resources/schedule.ts): the stored row plus `nextRuns`, the next five fire times after now
 * (none while the schedule is disabled), and `lastError` while the ticker's dispatches of the
 * current slot are failing.
 */
import type { ScheduleLastError, ScheduleResource } from "@/lib/resources/schedule";
import type { ScheduleRecord } from "@/lib/store/schedules";
import { checkCron, nextFireTimes } from "./cron";

/** How many upcoming fire times a schedule resource lists. */
export const NEXT_RUNS = 5;

/** The resource of a stored schedule, with fire times computed from `now`. */
export function toScheduleResource(row: ScheduleRecord, now: Date = new Date()): ScheduleResource {
  const check = checkCron(row.cron, row.timezone);
  const nextRuns = row.enabled && check.ok ? nextFireTimes(check.spec, NEXT_RUNS, now).map((d) => d.toISOString()) : [];
  return {
    id: row.id,
    workflowId: row.workflowId,
    cron: row.cron,
    timezone: row.timezone,
    input: row.input ?? null,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    nextRuns,
    lastFiredAt: row.lastFiredAt?.toISOString() ?? null,
    lastRunId: row.lastRunId,
    lastError:
      row.lastError === null || row.lastErrorAt === null
        ? null
        : { message: row.lastError, at: row.lastErrorAt.toISOString(), attempts: row.dispatchFailures, ...lastErrorDetails(row) },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The details a failure carried (`code`, `validation_errors` of an invalid workflow), when they have that shape. */
function lastErrorDetails(row: ScheduleRecord): Pick<ScheduleLastError, "code" | "validation_errors"> {
  const details = row.lastErrorDetails;
  if (!details || typeof details.code !== "string") return {};
  const errors = Array.isArray(details.validation_errors) ? (details.validation_errors as ScheduleLastError["validation_errors"]) : undefined;
  return { code: details.code, ...(errors ? { validation_errors: errors } : {}) };
}
