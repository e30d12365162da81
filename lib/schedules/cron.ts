/**
 * Cron expressions and time zones of schedules (docs/runs.md, "Schedules"), on croner. Only standard five-field
 * cron is accepted: minute hour day-of-month month day-of-week, with `*`, lists, ranges, steps
 * (`*\/n`, `a-b/n`) and three-letter month and weekday names; when both day fields are restricted
 * either may match (Vixie OR semantics, croner's default `domAndDow: false`). The nicknames
 * `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight` and `@hourly` are
 * accepted (croner expands them); `@reboot`, seconds/year fields and croner's extensions
 * (`L`, `W`, `#`, `?`, `+`) are refused, so a schedule means the same thing in any cron.
 *
 * Daylight-saving time follows croner (Vixie cron): a fixed-time job (one value in minute and
 * hour) whose time is skipped runs at the first valid time after the gap, and runs once, at the
 * first occurrence, when its time repeats; an interval job skips a missing time and runs on both
 * occurrences of a repeated one.
 */
import { Cron } from "croner";

/** A cron expression and zone that passed validation. */
export interface CronSpec {
  cron: string;
  timezone: string;
}

export type CronCheck = { ok: true; spec: CronSpec } | { ok: false; code: "invalid_cron" | "invalid_timezone"; message: string };

const NICKNAMES = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
/** Each field's name, range and (for month and weekday) three-letter names, in order. */
const FIELDS = [
  { name: "minute", min: 0, max: 59, names: [] },
  { name: "hour", min: 0, max: 23, names: [] },
  { name: "day-of-month", min: 1, max: 31, names: [] },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day-of-week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
] as const;
/** `*`, `a` or `a-b`, optionally `/step`; values are numbers or three-letter names. */
const ITEM = /^(?:\*|([0-9]{1,2}|[A-Za-z]{3})(?:-([0-9]{1,2}|[A-Za-z]{3}))?)(?:\/([0-9]{1,2}))?$/;
/** An IANA zone name (`UTC`, `Europe/Berlin`, `Etc/GMT+5`), never an offset such as `+02:00`. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

function cronJob(spec: CronSpec): Cron {
  return new Cron(spec.cron, { paused: true, mode: "5-part", timezone: spec.timezone, domAndDow: false });
}

/** Checks an IANA zone name; the name is kept as given (Intl accepts it case-insensitively). */
export function checkTimezone(timezone: string): string | null {
  const zone = timezone.trim();
  if (zone.length === 0 || zone.length > 64 || !ZONE_NAME.test(zone)) return null;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone;
  } catch {
    return null;
  }
}

/** Syntax rules croner is more lenient about; null when the expression is standard cron. */
function nonStandard(cron: string): string | null {
  if (cron.startsWith("@")) {
    return NICKNAMES.has(cron.toLowerCase())
      ? null
      : `${cron} is not supported; use five fields or one of ${[...NICKNAMES].join(", ")}.`;
  }
  const fields = cron.split(/\s+/);
  if (fields.length !== 5) {
    return `A cron expression has five fields (minute hour day-of-month month day-of-week); this one has ${fields.length}.`;
  }
  for (const [i, field] of fields.entries()) {
    const rule = FIELDS[i];
    for (const item of field.split(",")) {
      const match = ITEM.exec(item);
      if (!match) {
        return `The ${rule.name} field "${field}" is not standard cron: use *, numbers, three-letter names, lists (a,b), ranges (a-b) and steps (*/n, a-b/n).`;
      }
      for (const value of [match[1], match[2]]) {
        if (value === undefined) continue;
        const named = /^[A-Za-z]/.test(value);
        const index = named ? (rule.names as readonly string[]).indexOf(value.toUpperCase()) : Number(value);
        if (named && index < 0) return `"${value}" is not a ${rule.name} name.`;
        const number = named && rule.name === "month" ? index + 1 : index;
        if (number < rule.min || number > rule.max) return `The ${rule.name} ${value} is out of range (${rule.min}-${rule.max}).`;
      }
      if (match[3] !== undefined && Number(match[3]) === 0) return `The ${rule.name} step must be at least 1.`;
    }
  }
  return null;
}

/** Validates a schedule's cron and zone (zone default UTC); the error says what is wrong. */
export function checkCron(cron: string, timezone = "UTC"): CronCheck {
  const expression = cron.trim().split(/\s+/).join(" ");
  if (expression.length === 0) return { ok: false, code: "invalid_cron", message: "The cron expression is empty." };
  const problem = nonStandard(expression);
  if (problem) return { ok: false, code: "invalid_cron", message: problem };
  const zone = checkTimezone(timezone);
  if (zone === null) {
    return { ok: false, code: "invalid_timezone", message: `"${timezone}" is not an IANA time zone name (e.g. UTC, Europe/Berlin).` };
  }
  const spec = { cron: expression, timezone: zone };
  let next: Date | null;
  try {
    next = cronJob(spec).nextRun();
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, "") : String(error);
    return { ok: false, code: "invalid_cron", message: `The cron expression is not valid: ${detail}` };
  }
  if (next === null) return { ok: false, code: "invalid_cron", message: "The cron expression never matches a date (e.g. 30 February)." };
  return { ok: true, spec };
}

/** The next `count` fire times strictly after `from`. */
export function nextFireTimes(spec: CronSpec, count: number, from: Date): Date[] {
  return cronJob(spec).nextRuns(count, from);
}

/** The first fire time strictly after `from`, or null when the expression never fires again. */
export function nextFireTime(spec: CronSpec, from: Date): Date | null {
  return cronJob(spec).nextRun(from);
}

/**
 * The latest fire time at or before `now`, or null when there is none. croner's previousRuns
 * leaves out the current second, so the candidate is walked forward to `now`.
 */
export function latestSlot(spec: CronSpec, now: Date): Date | null {
  const job = cronJob(spec);
  let slot: Date | null = job.previousRuns(1, now)[0] ?? null;
  let probe = job.nextRun(slot ?? new Date(now.getTime() - 60_000));
  while (probe && probe.getTime() <= now.getTime()) {
    slot = probe;
    probe = job.nextRun(probe);
  }
  return slot;
}
