/**
 * How the CLI writes times, durations and JSON values in human output: local time to the second
 * (ISO 8601 stays in `--json`), durations in the largest unit that reads well, JSON on one line.
 */

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `2025-03-04 15:06:07` in local time; the input unchanged if it is not a date. */
export function when(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clock(date)}`;
}

/** `15:06:07` in local time. */
export function clock(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `840 ms`, `3.2 s`, `4 min 5 s`, `2 h 3 min`. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.round(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;
}

/** The time between two ISO timestamps, if both are set. */
export function between(start: string | null, end: string | null): string {
  if (!start || !end) return "";
  return duration(new Date(end).getTime() - new Date(start).getTime());
}

/** `value` as JSON on one line, cut to `max` characters. */
export function oneLine(value: unknown, max = 120): string {
  const text = JSON.stringify(value) ?? "";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
