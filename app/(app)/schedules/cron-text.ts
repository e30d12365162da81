/**
 * Cron in words (cronstrue) and fire times in a zone, for the schedules page. The server's rules
 * (lib/schedules/cron.ts) are the judge; this only reads an expression aloud while it is typed, and
 * says so plainly when it cannot.
 */
import cronstrue from "cronstrue";

const NICKNAMES = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

export type CronDescription = { ok: true; text: string } | { ok: false; message: string };

/** "At 09:00 AM, Monday through Friday", or why the expression cannot be read. */
export function describeCron(cron: string): CronDescription {
  const text = cron.trim();
  if (!text) return { ok: false, message: "Type a cron expression, e.g. 0 9 * * 1-5." };
  if (text.startsWith("@")) {
    if (!NICKNAMES.has(text.toLowerCase())) return { ok: false, message: `${text} is not one of ${[...NICKNAMES].join(", ")}.` };
  } else {
    // cronstrue also reads six- and seven-field cron (seconds, years); Weft's has exactly five.
    const fields = text.split(/\s+/).length;
    if (fields !== 5) return { ok: false, message: `Cron has five fields (minute hour day-of-month month day-of-week); this has ${fields}.` };
  }
  try {
    return { ok: true, text: cronstrue.toString(text, { throwExceptionOnParseError: true }) };
  } catch (error) {
    const reason = String(error instanceof Error ? error.message : error).replace(/^Error:\s*/, "");
    return { ok: false, message: `This is not a cron expression we can read: ${reason}` };
  }
}

/** The browser's own IANA zone. */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Every IANA zone the browser knows, UTC first. */
export function allZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...zones.filter((zone) => zone !== "UTC")];
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** "Mon 3 Mar, 09:00 CET": a fire time as a clock in `zone` reads it. */
export function formatInZone(iso: string, zone: string): string {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      timeZone: zone,
      timeZoneName: "short",
    });
    formats.set(zone, format);
  }
  return format.format(new Date(iso));
}
