/**
 * What the ticker fires when, proven by ticker passes on a controlled clock (`runTickerPass`'s
 * `now`) against real Postgres and the real run queue (docs/runs.md, "Schedules"):
 * - a dispatch that fails keeps its slot and backs off, and when a later slot comes due meanwhile
 *   the retry fires that later slot, not the old one;
 * - across daylight-saving changes a daily 02:30 job in Europe/Berlin runs at 03:00 on the
 *   spring-forward day and once on the fall-back day, with a pass every 5 minutes around them.
 * Schedules are created through the API; SQL only places them on the test's clock, and a trigger
 * on `runs` makes the database refuse run starts as an outage would.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runTickerPass } from "@/lib/schedules/ticker";
import { call, createApiKey, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow } from "../helpers/runtime";
import { greeting } from "./support";

let app: TestApp;
let owner: TestUser;
let key: Record<string, string>;
let workflowId: string;

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app);
  key = (await createApiKey(app, owner)).headers;
  workflowId = await createWorkflow(app, key, greeting, "scheduled");
});
afterAll(async () => {
  await app?.close();
});

/** One pass over the owner's organization at `now`, with the app's real run queue. */
function passAt(now: Date) {
  return runTickerPass({ sql: app.database.sql, db: app.database.db, runtime: app.runtime, logger: app.logger }, { organizationId: owner.organizationId, now });
}

async function createSchedule(cron: string, timezone = "UTC"): Promise<string> {
  const res = await call(app, "POST", "/api/schedules", { headers: key, body: { workflowId, cron, timezone, input: { name: "Ada" } } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Puts the schedule on the test's clock: it last fired `lastFiredSlot` and is due at `nextFireAt`. */
async function placeOnClock(scheduleId: string, lastFiredSlot: Date, nextFireAt: Date): Promise<void> {
  await app.database.sql`
    UPDATE schedules SET last_fired_slot = ${lastFiredSlot.toISOString()}::timestamptz, next_fire_at = ${nextFireAt.toISOString()}::timestamptz
    WHERE id = ${scheduleId}`;
}

/** The slots a schedule's runs were started for, from their idempotency keys `schedule:<id>:<slot>`. */
async function firedSlots(scheduleId: string): Promise<string[]> {
  const rows = await app.database.sql<{ idempotency_key: string }[]>`
    SELECT idempotency_key FROM runs WHERE idempotency_key LIKE ${`schedule:${scheduleId}:%`} ORDER BY created_at`;
  return rows.map((row) => row.idempotency_key.slice(`schedule:${scheduleId}:`.length));
}

async function nextFireAt(scheduleId: string): Promise<string | null> {
  const [row] = await app.database.sql<{ next_fire_at: string | null }[]>`SELECT to_json(next_fire_at) #>> '{}' AS next_fire_at FROM schedules WHERE id = ${scheduleId}`;
  return row.next_fire_at === null ? null : new Date(row.next_fire_at).toISOString();
}

/** Runs `fn` while the database refuses every new run with a serialization failure (SQLSTATE 40001). */
async function whileRunStartsFail<T>(fn: () => Promise<T>): Promise<T> {
  const sql = app.database.sql;
  await sql.unsafe(`CREATE OR REPLACE FUNCTION weft_test_refuse_run() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '40001'; END $$`);
  await sql.unsafe("CREATE TRIGGER weft_test_refuse_run BEFORE INSERT ON runs FOR EACH ROW EXECUTE FUNCTION weft_test_refuse_run()");
  try {
    return await fn();
  } finally {
    await sql.unsafe("DROP TRIGGER weft_test_refuse_run ON runs");
  }
}

describe("a dispatch that fails keeps its slot", () => {
  test("when a later slot comes due during the backoff, the retry fires that later slot, not the one that failed", async () => {
    const scheduleId = await createSchedule("* * * * *");
    // Minute M, ahead of the real clock so every retry time is exactly the pass's clock + delay.
    const M = Math.floor(Date.now() / 60_000) * 60_000 + 10 * 60_000;
    const at = (seconds: number) => new Date(M + seconds * 1000);
    await placeOnClock(scheduleId, at(-60), at(0));
    const nothing = { started: [], failed: [], disabled: [] };
    const lastError = async () => (await call(app, "GET", `/api/schedules/${scheduleId}`, { headers: key })).body.lastError;

    await whileRunStartsFail(async () => {
      // Slot M fails six times in a row: retried on the next pass, then after 2, 4, 8, 16, 32 s.
      for (const [seconds, retryAt] of [[1, 0], [1, 3], [3, 7], [7, 15], [15, 31], [31, 63]]) {
        expect(await passAt(at(seconds)), `pass at M+${seconds}s`).toEqual({ started: [], failed: [scheduleId], disabled: [] });
        expect(await nextFireAt(scheduleId), `retry after the failure at M+${seconds}s`).toBe(at(retryAt).toISOString());
      }
      expect(await lastError()).toEqual({ message: expect.stringContaining("could not be started"), at: expect.any(String), attempts: 6 });
      // Slot M+60 s comes due at M+60 s, inside the 32 s wait: no pass fires anything before the retry.
      expect(await passAt(at(60))).toEqual(nothing);
      expect(await passAt(at(62.999))).toEqual(nothing);
    });
    expect(await firedSlots(scheduleId)).toEqual([]);

    // The database takes runs again; the retry at M+63 s fires the latest slot, M+60 s, once.
    const retried = await passAt(at(63));
    expect(retried.started).toEqual([{ scheduleId, runId: expect.stringMatching(/^run_/), slot: at(60).toISOString() }]);
    expect(await passAt(at(63))).toEqual(nothing);
    expect(await firedSlots(scheduleId)).toEqual([at(60).toISOString()]);
    expect(await nextFireAt(scheduleId)).toBe(at(120).toISOString());
    expect(await lastError()).toBeNull();
    // Leave nothing due for later tests.
    expect((await call(app, "DELETE", `/api/schedules/${scheduleId}`, { headers: key })).status).toBe(204);
  });
});

describe("daylight-saving time, through ticker passes", () => {
  /** "HH:MM" of an instant in Berlin. */
  const berlin = (iso: string) => new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));

  /** Passes every 5 minutes from `from` (inclusive) to `to` (exclusive); the slots they started for the schedule, in order. */
  async function passesEvery5Minutes(scheduleId: string, from: string, to: string): Promise<string[]> {
    const started: string[] = [];
    for (let t = Date.parse(from); t < Date.parse(to); t += 5 * 60_000) {
      const result = await passAt(new Date(t));
      expect(result.failed).toEqual([]);
      started.push(...result.started.filter((s) => s.scheduleId === scheduleId).map((s) => s.slot));
    }
    return started;
  }

  /** Deletes the schedule, so the next test's passes (on another clock) see only their own. */
  async function remove(scheduleId: string): Promise<void> {
    expect((await call(app, "DELETE", `/api/schedules/${scheduleId}`, { headers: key })).status).toBe(204);
  }

  test("spring forward (Berlin, 30 March 2025, 02:00 → 03:00): a daily 02:30 job runs at 03:00 CEST that day, once", async () => {
    const scheduleId = await createSchedule("30 2 * * *", "Europe/Berlin");
    // It fired on 28 March at 02:30 CET and is due on 29 March at 02:30 CET, as a ticker leaves it.
    await placeOnClock(scheduleId, new Date("2025-03-28T01:30:00Z"), new Date("2025-03-29T01:30:00Z"));

    const started = await passesEvery5Minutes(scheduleId, "2025-03-29T00:00:00Z", "2025-03-31T00:00:00Z");
    expect(started).toEqual(["2025-03-29T01:30:00.000Z", "2025-03-30T01:00:00.000Z"]);
    expect(started.map(berlin)).toEqual(["02:30", "03:00"]);
    expect(await firedSlots(scheduleId)).toEqual(started);
    expect(await nextFireAt(scheduleId)).toBe("2025-03-31T00:30:00.000Z"); // 02:30 CEST
    await remove(scheduleId);
  });

  test("fall back (Berlin, 26 October 2025, 03:00 → 02:00): a daily 02:30 job runs once, at the first 02:30, not again an hour later", async () => {
    const scheduleId = await createSchedule("30 2 * * *", "Europe/Berlin");
    await placeOnClock(scheduleId, new Date("2025-10-24T00:30:00Z"), new Date("2025-10-25T00:30:00Z"));

    const started = await passesEvery5Minutes(scheduleId, "2025-10-25T00:00:00Z", "2025-10-27T00:00:00Z");
    expect(started).toEqual(["2025-10-25T00:30:00.000Z", "2025-10-26T00:30:00.000Z"]);
    expect(started.map(berlin)).toEqual(["02:30", "02:30"]);
    expect(await firedSlots(scheduleId)).toEqual(started);
    expect(await nextFireAt(scheduleId)).toBe("2025-10-27T01:30:00.000Z"); // 02:30 CET
    await remove(scheduleId);
  });
});
