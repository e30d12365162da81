/**
 * Events and waits (docs/runs.md), the outbox that makes event delivery reliable: openworkflow drops
 * a signal nobody waits for, so every event is stored here first, and a signal only wakes the run.
 *
 * Race-freedom: senders and waiters of one (organization, event name) serialize on one advisory
 * transaction lock. A sender either sees the open wait (and hands the event to it) or commits the
 * event before the waiter looks (and the waiter takes it from the table): never neither.
 * An event is handed to a wait by marking it consumed by (run, block) and closing the wait.
 */
import type postgres from "postgres";
import { RUN_STATUS_CHANNEL } from "./channels";
import { newId } from "./ids";
import { jsonb } from "./runs";
import { inTransaction } from "./transaction";

/** A new event id: `evt_` and 20 random lowercase characters. */
export function newEventId(): string {
  return newId("evt");
}

export interface StoredEvent {
  id: string;
  event: string;
  data: unknown;
  receivedAt: string;
}

interface EventRow {
  id: string;
  event: string;
  data: unknown;
  created_at: Date;
}

function toStored(row: EventRow): StoredEvent {
  return { id: row.id, event: row.event, data: row.data ?? null, receivedAt: row.created_at.toISOString() };
}

async function lockEventName(tx: postgres.Sql, organizationId: string, event: string): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`weft:event:${organizationId}\u001f${event}`}, 0))`;
}

/** What a wait_for_event block waits for. */
export interface EventWait {
  organizationId: string;
  runId: string;
  blockId: string;
  event: string;
  key: string | null;
}

/** Takes the oldest stored, unconsumed event matching the wait: addressed to its run, or org-wide with its key. */
async function takeStoredEvent(tx: postgres.Sql, wait: EventWait): Promise<StoredEvent | null> {
  // Two lookups (FOR UPDATE is not allowed on a UNION), each on its own partial index.
  const [addressed] = await tx<EventRow[]>`
    SELECT id, event, data, created_at FROM events
    WHERE run_id = ${wait.runId} AND event = ${wait.event} AND consumed_at IS NULL AND organization_id = ${wait.organizationId}
    ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`;
  const [keyed] =
    wait.key === null
      ? []
      : await tx<EventRow[]>`
        SELECT id, event, data, created_at FROM events
        WHERE organization_id = ${wait.organizationId} AND event = ${wait.event} AND key = ${wait.key}
          AND run_id IS NULL AND consumed_at IS NULL
        ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`;
  const oldest = [addressed, keyed]
    .filter((row): row is EventRow => row !== undefined)
    .sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id))[0];
  if (!oldest) return null;
  await tx`
    UPDATE events SET consumed_at = now(), consumed_by_run = ${wait.runId}, consumed_by_block = ${wait.blockId}
    WHERE id = ${oldest.id}`;
  return toStored(oldest);
}

/**
 * Called when a run reaches a wait_for_event block: takes a matching stored event at once, or
 * registers an open wait (until `until`, null for none) that senders will hand events to.
 */
export async function takeEventOrWait(sql: postgres.Sql, wait: EventWait, until: Date | null): Promise<StoredEvent | null> {
  return inTransaction(sql, async (tx) => {
    await lockEventName(tx, wait.organizationId, wait.event);
    const stored = await takeStoredEvent(tx, wait);
    if (stored) return stored;
    await tx`
      WITH opened AS (
        INSERT INTO run_waits (run_id, block_id, organization_id, kind, event, key, until, open)
        VALUES (${wait.runId}, ${wait.blockId}, ${wait.organizationId}, 'event', ${wait.event}, ${wait.key}, ${until}, true)
        ON CONFLICT (run_id, block_id) DO UPDATE SET open = true, event = excluded.event, key = excluded.key, until = excluded.until
        RETURNING run_id
      )
      SELECT pg_notify(${RUN_STATUS_CHANNEL}, run_id) FROM opened`;
    return null;
  });
}

/**
 * Re-checks a registered wait: the event a sender handed to it, else a matching stored one; with
 * neither and `timedOut`, closes the wait (so no sender hands it anything later) and returns
 * "timed_out"; else "waiting".
 */
export async function checkEventWait(
  sql: postgres.Sql,
  wait: EventWait,
  timedOut: boolean,
): Promise<StoredEvent | "waiting" | "timed_out"> {
  return inTransaction(sql, async (tx) => {
    await lockEventName(tx, wait.organizationId, wait.event);
    const [handed] = await tx<EventRow[]>`
      SELECT id, event, data, created_at FROM events
      WHERE consumed_by_run = ${wait.runId} AND consumed_by_block = ${wait.blockId} AND organization_id = ${wait.organizationId}
      ORDER BY consumed_at DESC LIMIT 1`;
    const found = handed ? toStored(handed) : await takeStoredEvent(tx, wait);
    if (found || timedOut) await closeWait(tx, wait.runId, wait.blockId);
    return found ?? (timedOut ? "timed_out" : "waiting");
  });
}

/** Opens (or re-opens) a duration wait, so the run reads "waiting" until `until`. */
export async function openDurationWait(
  sql: postgres.Sql,
  wait: { organizationId: string; runId: string; blockId: string; until: Date },
): Promise<void> {
  await sql`
    WITH opened AS (
      INSERT INTO run_waits (run_id, block_id, organization_id, kind, until, open)
      VALUES (${wait.runId}, ${wait.blockId}, ${wait.organizationId}, 'duration', ${wait.until}, true)
      ON CONFLICT (run_id, block_id) DO UPDATE SET open = true, until = excluded.until
      RETURNING run_id
    )
    SELECT pg_notify(${RUN_STATUS_CHANNEL}, run_id) FROM opened`;
}

/** Closes a run's wait on one block. */
export async function closeWait(sql: postgres.Sql, runId: string, blockId: string): Promise<void> {
  await sql`
    WITH closed AS (UPDATE run_waits SET open = false WHERE run_id = ${runId} AND block_id = ${blockId} AND open RETURNING run_id)
    SELECT pg_notify(${RUN_STATUS_CHANNEL}, run_id) FROM closed`;
}

/** Where a stored event went: the run and block whose wait took it (under the copy's id). */
export interface Delivery {
  runId: string;
  blockId: string;
  eventId: string;
}

/**
 * Stores an event addressed to one run and hands it to that run's oldest open wait on the same
 * event name, if any. Waits of other runs are never considered.
 */
export async function storeRunEvent(
  sql: postgres.Sql,
  organizationId: string,
  runId: string,
  event: { event: string; data: unknown },
): Promise<{ eventId: string; delivery: Delivery | null }> {
  const eventId = newEventId();
  return inTransaction(sql, async (tx) => {
    await lockEventName(tx, organizationId, event.event);
    const [waiter] = await tx<{ block_id: string }[]>`
      SELECT block_id FROM run_waits
      WHERE run_id = ${runId} AND organization_id = ${organizationId} AND kind = 'event' AND event = ${event.event} AND open
      ORDER BY created_at, block_id LIMIT 1`;
    await tx`
      INSERT INTO events (id, organization_id, run_id, event, data, consumed_at, consumed_by_run, consumed_by_block)
      VALUES (${eventId}, ${organizationId}, ${runId}, ${event.event}, ${jsonb(sql, event.data)},
        ${waiter ? tx`now()` : null}, ${waiter ? runId : null}, ${waiter?.block_id ?? null})`;
    if (!waiter) return { eventId, delivery: null };
    await tx`UPDATE run_waits SET open = false WHERE run_id = ${runId} AND block_id = ${waiter.block_id}`;
    return { eventId, delivery: { runId, blockId: waiter.block_id, eventId } };
  });
}

/**
 * Stores an org-wide event and hands it to every run waiting on (event, key): the first gets the
 * stored event, each other run its own consumed copy. With no waiter it stays stored.
 */
export async function storeOrgEvent(
  sql: postgres.Sql,
  organizationId: string,
  event: { event: string; key: string; data: unknown },
): Promise<{ eventId: string; deliveries: Delivery[] }> {
  const eventId = newEventId();
  return inTransaction(sql, async (tx) => {
    await lockEventName(tx, organizationId, event.event);
    // One wait per run: its oldest.
    const waiters = await tx<{ run_id: string; block_id: string }[]>`
      SELECT DISTINCT ON (run_id) run_id, block_id, created_at FROM run_waits
      WHERE organization_id = ${organizationId} AND kind = 'event' AND event = ${event.event} AND key = ${event.key} AND open
      ORDER BY run_id, created_at, block_id`;
    const deliveries: Delivery[] = waiters.map((w, i) => ({ runId: w.run_id, blockId: w.block_id, eventId: i === 0 ? eventId : newEventId() }));
    const first = deliveries[0];
    await tx`
      INSERT INTO events (id, organization_id, run_id, event, key, data, consumed_at, consumed_by_run, consumed_by_block)
      VALUES (${eventId}, ${organizationId}, null, ${event.event}, ${event.key}, ${jsonb(sql, event.data)},
        ${first ? tx`now()` : null}, ${first?.runId ?? null}, ${first?.blockId ?? null})`;
    if (deliveries.length === 0) return { eventId, deliveries };
    const copies = deliveries.slice(1).map((d) => ({ id: d.eventId, run: d.runId, block: d.blockId }));
    if (copies.length > 0) {
      await tx`
        INSERT INTO events (id, organization_id, run_id, event, key, data, consumed_at, consumed_by_run, consumed_by_block)
        SELECT c.id, ${organizationId}, null, ${event.event}, ${event.key}, ${jsonb(sql, event.data)}::jsonb, now(), c.run, c.block
        FROM jsonb_to_recordset(${jsonb(sql, copies)}::jsonb) AS c(id text, run text, block text)`;
    }
    const runIds = deliveries.map((d) => d.runId);
    const blockIds = deliveries.map((d) => d.blockId);
    await tx`
      UPDATE run_waits SET open = false
      FROM unnest(${runIds}::text[], ${blockIds}::text[]) AS d(run_id, block_id)
      WHERE run_waits.run_id = d.run_id AND run_waits.block_id = d.block_id`;
    return { eventId, deliveries };
  });
}
