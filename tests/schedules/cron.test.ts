/**
 * Cron and time-zone rules of schedules (docs/runs.md, "Schedules"), no database: which expressions are accepted,
 * the fire times they give, day-of-month/day-of-week OR semantics, and daylight-saving behaviour
 * as croner documents it (Vixie cron): a fixed-time job skipped by spring-forward runs at the
 * first valid time after the gap and runs once when fall-back repeats its time; an interval job
 * skips the missing time and runs on both occurrences of a repeated one.
 */
import { describe, expect, test } from "vitest";
import { checkCron, checkTimezone, latestSlot, nextFireTimes, type CronSpec } from "@/lib/schedules/cron";

function spec(cron: string, timezone = "UTC"): CronSpec {
  const check = checkCron(cron, timezone);
  if (!check.ok) throw new Error(`${cron} (${timezone}) was refused: ${check.message}`);
  return check.spec;
}

function next(cron: string, timezone: string, from: string, count = 5): string[] {
  return nextFireTimes(spec(cron, timezone), count, new Date(from)).map((d) => d.toISOString());
}

describe("which expressions are accepted", () => {
  test.each([
    ["* * * * *"],
    ["*/15 * * * *"],
    ["0 9 * * MON-FRI"],
    ["0 9 * * mon-fri"],
    ["0 0 1,15 * *"],
    ["30 2 * JAN-MAR,DEC SUN"],
    ["0 0 * * 7"],
    ["0-30/10 8-18/2 * * 1-5"],
    ["@hourly"],
    ["@daily"],
    ["@midnight"],
    ["@weekly"],
    ["@monthly"],
    ["@yearly"],
    ["@annually"],
    ["@HOURLY"],
  ])("standard five-field cron and the nickname %s are accepted", (cron) => {
    expect(checkCron(cron)).toMatchObject({ ok: true });
  });

  test.each([
    ["* * * * * *", /five fields.*6/],
    ["0 0 * * * * *", /five fields.*7/],
    ["* * * *", /five fields.*4/],
    ["61 * * * *", /minute 61 is out of range \(0-59\)/],
    ["0 24 * * *", /hour 24 is out of range/],
    ["0 0 32 * *", /day-of-month 32 is out of range/],
    ["0 0 * 13 *", /month 13 is out of range/],
    ["0 0 * * 8", /day-of-week 8 is out of range/],
    ["*/0 * * * *", /step must be at least 1/],
    ["garbage", /five fields/],
    ["", /empty/],
    ["   ", /empty/],
    ["@reboot", /not supported/],
    ["@every 5m", /not supported/],
    ["0 0 L * *", /day-of-month/],
    ["0 0 15W * *", /day-of-month/],
    ["0 0 * * MON#2", /day-of-week/],
    ["0 0 ? * MON", /day-of-month/],
    ["0 12 1 * +MON", /day-of-week/],
    ["5/5 * * * *", /stepping with numeric prefix/],
    ["JAN * * * *", /not a minute name/],
    ["0 0 * FOO *", /not a month name/],
    ["0 0 * * 5-1", /larger than/],
    ["0 0 30 2 *", /never matches/],
  ])("%j is refused as invalid_cron with a message", (cron, message) => {
    const check = checkCron(cron);
    expect(check).toMatchObject({ ok: false, code: "invalid_cron" });
    if (!check.ok) expect(check.message).toMatch(message);
  });

  test("whitespace is normalised: extra spaces and tabs between fields are one space", () => {
    expect(checkCron("  0\t9  *  * MON ")).toEqual({ ok: true, spec: { cron: "0 9 * * MON", timezone: "UTC" } });
  });

  test.each([["Mars/Olympus"], ["+02:00"], ["UTC+2"], [""], ["Europe/"], ["../etc/passwd"]])(
    "the zone %j is refused as invalid_timezone",
    (zone) => {
      expect(checkTimezone(zone)).toBeNull();
      expect(checkCron("* * * * *", zone)).toMatchObject({ ok: false, code: "invalid_timezone" });
    },
  );

  test.each([["UTC"], ["utc"], ["Europe/Berlin"], ["America/New_York"], ["Etc/GMT+5"], ["America/Argentina/Buenos_Aires"]])(
    "the IANA zone %j is accepted as given",
    (zone) => {
      expect(checkTimezone(zone)).toBe(zone);
    },
  );
});

describe("fire times", () => {
  test("*/15 fires at every quarter hour, strictly after the reference time", () => {
    expect(next("*/15 * * * *", "UTC", "2025-03-01T00:07:30Z")).toEqual([
      "2025-03-01T00:15:00.000Z",
      "2025-03-01T00:30:00.000Z",
      "2025-03-01T00:45:00.000Z",
      "2025-03-01T01:00:00.000Z",
      "2025-03-01T01:15:00.000Z",
    ]);
    expect(next("*/15 * * * *", "UTC", "2025-03-01T00:15:00Z", 1)).toEqual(["2025-03-01T00:30:00.000Z"]);
  });

  test("0 9 * * MON-FRI in America/New_York fires at 09:00 local on weekdays, across the March DST change", () => {
    // Thu 6 and Fri 7 March are EST (UTC-5); from Sun 9 March it is EDT (UTC-4). No weekend runs.
    expect(next("0 9 * * MON-FRI", "America/New_York", "2025-03-06T00:00:00Z")).toEqual([
      "2025-03-06T14:00:00.000Z",
      "2025-03-07T14:00:00.000Z",
      "2025-03-10T13:00:00.000Z",
      "2025-03-11T13:00:00.000Z",
      "2025-03-12T13:00:00.000Z",
    ]);
  });

  test("when both day fields are restricted either one matches (OR): the 1st of the month or any Monday", () => {
    // 1 Sep 2025 is a Monday; 1 Oct 2025 is a Wednesday.
    expect(next("0 12 1 * MON", "UTC", "2025-09-01T13:00:00Z", 6)).toEqual([
      "2025-09-08T12:00:00.000Z",
      "2025-09-15T12:00:00.000Z",
      "2025-09-22T12:00:00.000Z",
      "2025-09-29T12:00:00.000Z",
      "2025-10-01T12:00:00.000Z",
      "2025-10-06T12:00:00.000Z",
    ]);
  });

  test("when only one day field is restricted, only it counts (a * day-of-week does not match every day)", () => {
    expect(next("0 12 1 * *", "UTC", "2025-09-01T13:00:00Z", 2)).toEqual(["2025-10-01T12:00:00.000Z", "2025-11-01T12:00:00.000Z"]);
    expect(next("0 12 * * MON", "UTC", "2025-09-01T13:00:00Z", 2)).toEqual(["2025-09-08T12:00:00.000Z", "2025-09-15T12:00:00.000Z"]);
  });

  test("0 and 7 both mean Sunday", () => {
    expect(next("0 0 * * 7", "UTC", "2025-03-01T00:00:00Z", 2)).toEqual(next("0 0 * * SUN", "UTC", "2025-03-01T00:00:00Z", 2));
    expect(next("0 0 * * 0", "UTC", "2025-03-01T00:00:00Z", 1)).toEqual(["2025-03-02T00:00:00.000Z"]);
  });

  test("@daily is midnight in the schedule's zone", () => {
    expect(next("@daily", "Europe/Berlin", "2025-06-01T12:00:00Z", 2)).toEqual(["2025-06-01T22:00:00.000Z", "2025-06-02T22:00:00.000Z"]);
  });
});

describe("daylight-saving time in Europe/Berlin (as croner documents it)", () => {
  test("spring forward: a daily 02:30 job, whose time does not exist on 30 March, runs at 03:00 CEST that day", () => {
    expect(next("30 2 * * *", "Europe/Berlin", "2025-03-29T00:00:00Z", 3)).toEqual([
      "2025-03-29T01:30:00.000Z", // 02:30 CET
      "2025-03-30T01:00:00.000Z", // 03:00 CEST, the first valid time after the gap
      "2025-03-31T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  test("fall back: a daily 02:30 job, whose time occurs twice on 26 October, runs once, at the first occurrence", () => {
    expect(next("30 2 * * *", "Europe/Berlin", "2025-10-25T00:00:00Z", 3)).toEqual([
      "2025-10-25T00:30:00.000Z", // 02:30 CEST
      "2025-10-26T00:30:00.000Z", // 02:30 CEST, first occurrence; not again at 02:30 CET (01:30Z)
      "2025-10-27T01:30:00.000Z", // 02:30 CET
    ]);
  });

  test("an hourly job skips the missing 02:30 in spring and runs on both 02:30s in autumn", () => {
    expect(next("30 * * * *", "Europe/Berlin", "2025-03-29T23:00:00Z", 3)).toEqual([
      "2025-03-29T23:30:00.000Z", // 00:30 CET
      "2025-03-30T00:30:00.000Z", // 01:30 CET
      "2025-03-30T01:30:00.000Z", // 03:30 CEST: 02:30 never happened
    ]);
    expect(next("30 * * * *", "Europe/Berlin", "2025-10-26T00:00:00Z", 3)).toEqual([
      "2025-10-26T00:30:00.000Z", // 02:30 CEST
      "2025-10-26T01:30:00.000Z", // 02:30 CET
      "2025-10-26T02:30:00.000Z", // 03:30 CET
    ]);
  });

  test("the slot a ticker fires on the spring-forward day is the shifted 03:00 CEST", () => {
    expect(latestSlot(spec("30 2 * * *", "Europe/Berlin"), new Date("2025-03-30T12:00:00Z"))?.toISOString()).toBe("2025-03-30T01:00:00.000Z");
    expect(latestSlot(spec("30 2 * * *", "Europe/Berlin"), new Date("2025-10-26T12:00:00Z"))?.toISOString()).toBe("2025-10-26T00:30:00.000Z");
  });
});

describe("the latest slot at or before now (what a ticker fires)", () => {
  const everyMinute = spec("* * * * *");

  test("a slot exactly at now is the latest slot", () => {
    expect(latestSlot(everyMinute, new Date("2025-03-01T00:05:00.000Z"))?.toISOString()).toBe("2025-03-01T00:05:00.000Z");
  });

  test("just before a slot, the latest slot is the one before it", () => {
    expect(latestSlot(everyMinute, new Date("2025-03-01T00:04:59.999Z"))?.toISOString()).toBe("2025-03-01T00:04:00.000Z");
    expect(latestSlot(everyMinute, new Date("2025-03-01T00:05:00.001Z"))?.toISOString()).toBe("2025-03-01T00:05:00.000Z");
  });

  test("a sparse schedule's latest slot can be long ago", () => {
    expect(latestSlot(spec("0 0 1 1 *"), new Date("2025-06-15T10:00:00Z"))?.toISOString()).toBe("2025-01-01T00:00:00.000Z");
    expect(latestSlot(spec("0 9 * * MON-FRI", "America/New_York"), new Date("2025-03-09T12:00:00Z"))?.toISOString()).toBe(
      "2025-03-07T14:00:00.000Z",
    );
  });
});
