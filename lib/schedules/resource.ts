/**
 * The schedule resource the API returns (DESIGN §5): the stored row plus `nextRuns`, the next
 * five fire times after now (none while the schedule is disabled), and `lastError` while the
 * ticker's dispatches of the current slot are failing.
 */
import type { ScheduleRecord } from "@/lib/store/schedules";
import { checkCron, nextFireTimes } from "./cron";

export interface ScheduleResource {
  id: string;
  workflowId: string;
  cron: string;
  timezone: string;
  input: unknown;
  enabled: boolean;
  /** Why the system turned it off (`workflow_deleted`); null when enabled or turned off by a person. */
  disabledReason: string | null;
  /** ISO 8601 UTC; empty while disabled. */
  nextRuns: string[];
  lastFiredAt: string | null;
  lastRunId: string | null;
  /** The latest failed dispatch and how many failed in a row; null once a dispatch succeeds. */
  lastError: { message: string; at: string; attempts: number } | null;
  createdAt: string;
  updatedAt: string;
}

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
        : { message: row.lastError, at: row.lastErrorAt.toISOString(), attempts: row.dispatchFailures },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
