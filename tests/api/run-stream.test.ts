/**
 * `GET /api/runs/:runId/stream` (docs/runs.md): Server-Sent Events of a run's log entries (id = the
 * entry's cursor) and status changes, resumable with Last-Event-ID, with heartbeat comments,
 * closing after the final status. Read with the streaming Response of `api.request`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { streamTiming } from "@/lib/api/routes/runs";
import { call, createAppWithAgent, type TestApp } from "../helpers/api";
import { startTestWorker } from "../helpers/runtime";

let app: TestApp;
let agent: Record<string, string>;
let worker: { stop(): Promise<void> };
const defaultTiming = { ...streamTiming };

beforeAll(async () => {
  ({ app, agent } = await createAppWithAgent());
  worker = await startTestWorker(app);
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
});
afterEach(() => {
  Object.assign(streamTiming, defaultTiming);
});

/** trigger → t1 → t2 → t3 → t4: a few log entries. */
const chain = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {} },
    ...[1, 2, 3, 4].map((n) => ({ id: `t${n}`, type: "transform", params: { value: n } })),
  ],
  edges: [{ source: "trg", target: "t1" }, ...[1, 2, 3].map((n) => ({ source: `t${n}`, target: `t${n + 1}` }))],
};

const waitsForApproval = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {} },
    { id: "wait", type: "wait_for_event", params: { event: "approved" } },
    { id: "done", type: "greet", params: { name: "{{wait.data.by}}" } },
  ],
  edges: [
    { source: "trg", target: "wait" },
    { source: "wait", target: "done" },
  ],
};

async function runOf(definition: unknown): Promise<string> {
  const created = await call(app, "POST", "/api/workflows", { headers: agent, body: { name: "wf", definition } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const res = await call(app, "POST", `/api/workflows/${created.body.id}/run`, { headers: agent, body: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.runId;
}

const FINAL = ["succeeded", "failed", "canceled"];

async function waitForStatus(runId: string, statuses: string[], timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(app, "GET", `/api/runs/${runId}`, { headers: agent });
    if (statuses.includes(res.body.status)) return res.body;
    if (FINAL.includes(res.body.status)) throw new Error(`run ${runId} ended ${res.body.status}, not ${statuses.join("/")}: ${JSON.stringify(res.body.error)}`);
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${res.body.status}, not ${statuses.join("/")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface SseEvent {
  event?: string;
  id?: string;
  data?: string;
  /** A `: comment` line (the heartbeat). */
  comment?: string;
}

/** Reads SSE events from a streaming response as they arrive, and whether the stream has ended. */
function sseReader(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ended = false;
  const queue: SseEvent[] = [];

  function parse(block: string) {
    const event: SseEvent = {};
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) queue.push({ comment: line.slice(1).trim() });
      else if (line.startsWith("event: ")) event.event = line.slice(7);
      else if (line.startsWith("id: ")) event.id = line.slice(4);
      else if (line.startsWith("data: ")) event.data = event.data === undefined ? line.slice(6) : `${event.data}\n${line.slice(6)}`;
    }
    if (event.event !== undefined || event.data !== undefined) queue.push(event);
  }

  return {
    /** The next event or comment; null when the stream ended. Throws after `timeoutMs`. */
    async next(timeoutMs = 10_000): Promise<SseEvent | null> {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0 && !ended) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error("no SSE event in time");
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), left)));
        const chunk = await Promise.race([reader.read(), timeout]);
        clearTimeout(timer);
        if (chunk === "timeout") throw new Error("no SSE event in time");
        if (chunk.done) {
          ended = true;
          if (buffer.trim()) parse(buffer);
          buffer = "";
          break;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
      return queue.shift() ?? null;
    },
    /** Every remaining event until the stream ends. */
    async rest(timeoutMs = 15_000): Promise<SseEvent[]> {
      const events: SseEvent[] = [];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const event = await this.next(Math.max(1, deadline - Date.now()));
        if (event === null) return events;
        events.push(event);
      }
    },
    cancel: () => reader.cancel(),
  };
}

function openStream(runId: string, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(app.api.request(`/api/runs/${runId}/stream`, { headers: { ...agent, ...headers } }));
}

async function logIds(runId: string): Promise<string[]> {
  const res = await call(app, "GET", `/api/runs/${runId}/logs?limit=500`, { headers: agent });
  expect(res.status).toBe(200);
  return res.body.data.map((e: { id: string }) => e.id);
}

const statuses = (events: SseEvent[]) => events.filter((e) => e.event === "status").map((e) => JSON.parse(e.data as string).status);

describe("GET /api/runs/:runId/stream", () => {
  it("streams each log entry with its cursor as id, then the final status, then closes", async () => {
    const runId = await runOf(chain);
    const response = await openStream(runId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await sseReader(response).rest();

    const logs = events.filter((e) => e.event === "log");
    expect(logs.map((e) => e.id)).toEqual(await logIds(runId));
    const blockIds = logs.map((e) => JSON.parse(e.data as string).blockId);
    for (const id of ["t1", "t2", "t3", "t4"]) expect(blockIds).toContain(id);
    const t4 = JSON.parse(logs.find((e) => JSON.parse(e.data as string).blockId === "t4")?.data as string);
    expect(t4).toMatchObject({ status: "succeeded", output: { value: 4 } });

    const last = events.filter((e) => e.comment === undefined).at(-1) as SseEvent;
    expect(last.event).toBe("status");
    expect(JSON.parse(last.data as string)).toMatchObject({ id: runId, status: "succeeded", output: { t4: { value: 4 } } });
    // Each status is sent once, in order.
    const seen = statuses(events);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("a finished run's stream sends its whole log and its final status, then closes", async () => {
    const runId = await runOf(chain);
    await waitForStatus(runId, ["succeeded"]);
    const events = await sseReader(await openStream(runId)).rest();
    expect(events.filter((e) => e.event === "log").map((e) => e.id)).toEqual(await logIds(runId));
    expect(statuses(events)).toEqual(["succeeded"]);
  });

  it("resumes after Last-Event-ID: only the entries after it are sent", async () => {
    const runId = await runOf(chain);
    await waitForStatus(runId, ["succeeded"]);
    const ids = await logIds(runId);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const events = await sseReader(await openStream(runId, { "last-event-id": ids[1] })).rest();
    expect(events.filter((e) => e.event === "log").map((e) => e.id)).toEqual(ids.slice(2));
    expect(statuses(events)).toEqual(["succeeded"]);
    const fromLast = await sseReader(await openStream(runId, { "last-event-id": ids.at(-1) as string })).rest();
    expect(fromLast.filter((e) => e.event === "log")).toEqual([]);
    expect(statuses(fromLast)).toEqual(["succeeded"]);
  });

  it("a Last-Event-ID that is not a cursor gets 400 invalid_cursor before any stream starts", async () => {
    const runId = await runOf(chain);
    for (const bad of ["***", Buffer.from('{"x":1}').toString("base64url")]) {
      const res = await call(app, "GET", `/api/runs/${runId}/stream`, { headers: { ...agent, "last-event-id": bad } });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("invalid_cursor");
    }
  });

  it("a waiting run's stream stays open with heartbeats, sends the new status and entries live, and closes when the run ends", async () => {
    streamTiming.heartbeatMs = 100;
    const runId = await runOf(waitsForApproval);
    await waitForStatus(runId, ["waiting"]);
    const stream = sseReader(await openStream(runId));
    const before: SseEvent[] = [];
    let pings = 0;
    while (pings < 2) {
      const event = (await stream.next(5_000)) as SseEvent;
      expect(event, "the stream ended while the run was waiting").not.toBeNull();
      if (event.comment === "ping") pings += 1;
      else before.push(event);
    }
    expect(statuses(before)).toEqual(["waiting"]);

    const sent = await call(app, "POST", `/api/runs/${runId}/events`, { headers: agent, body: { event: "approved", data: { by: "Ada" } } });
    expect(sent.status).toBe(202);
    const after = (await stream.rest()).filter((e) => e.comment === undefined);
    const doneEntry = after.find((e) => e.event === "log" && JSON.parse(e.data as string).blockId === "done");
    expect(JSON.parse(doneEntry?.data as string)).toMatchObject({ status: "succeeded", output: { message: "Hello, Ada!" } });
    expect(statuses(after).at(-1)).toBe("succeeded");
    expect(after.at(-1)?.event).toBe("status");
    // No entry is sent twice, and every entry the log now holds was sent, in order. (An entry that
    // changed, like the wait's, is written again under a new id, so the stream may also hold its
    // earlier state.)
    const ids = [...before, ...after].filter((e) => e.event === "log").map((e) => e.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    const current = await logIds(runId);
    expect(ids.filter((id) => current.includes(id))).toEqual(current);
  });

  it("heartbeats come every 15 s by default, and never sooner than the interval", async () => {
    expect(defaultTiming.heartbeatMs).toBe(15_000);
    streamTiming.heartbeatMs = 400;
    const runId = await runOf(waitsForApproval);
    await waitForStatus(runId, ["waiting"]);
    const opened = Date.now();
    const stream = sseReader(await openStream(runId));
    const before: SseEvent[] = [];
    let event: SseEvent | null;
    while ((event = await stream.next()) !== null && event.comment !== "ping") before.push(event);
    expect(event?.comment, "the stream ended before a heartbeat").toBe("ping");
    expect(Date.now() - opened).toBeGreaterThanOrEqual(400);
    expect(statuses(before)).toEqual(["waiting"]);
    await stream.cancel();
    await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: agent });
  });

  it("a run canceled while streamed ends its stream with the canceled status", async () => {
    const runId = await runOf(waitsForApproval);
    await waitForStatus(runId, ["waiting"]);
    const stream = sseReader(await openStream(runId));
    let first: SseEvent | null;
    do first = await stream.next();
    while (first !== null && first.event !== "status");
    expect(JSON.parse(first?.data as string).status).toBe("waiting");
    expect((await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: agent })).status).toBe(200);
    const rest = await stream.rest();
    expect(statuses(rest)).toEqual(["canceled"]);
  });
});
