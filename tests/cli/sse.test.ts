/**
 * The CLI's Server-Sent Events reader (cli/sse.ts): events split across chunks anywhere (even
 * between CR and LF), multi-line data, ids, comments, and a reader that stops early closes the
 * stream.
 */
import { describe, expect, it } from "vitest";
import { readEvents, type SseEvent } from "@/cli/sse";

function streamOf(chunks: string[], onCancel?: () => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      if (!onCancel) controller.close();
    },
    cancel: () => onCancel?.(),
  });
}

async function all(chunks: string[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readEvents(streamOf(chunks))) events.push(event);
  return events;
}

describe("readEvents", () => {
  const text = 'event: log\nid: c1\ndata: {"a":1}\n\n: ping\n\nevent: status\r\ndata: line one\r\ndata: line two\r\n\r\ndata: plain\n\n';
  const expected: SseEvent[] = [
    { event: "log", id: "c1", data: '{"a":1}' },
    { event: "status", data: "line one\nline two" },
    { event: "message", data: "plain" },
  ];

  it("reads events, joins data lines, keeps ids and skips comments", async () => {
    expect(await all([text])).toEqual(expected);
  });

  it("gives the same events however the bytes are split, even between CR and LF", async () => {
    for (let cut = 1; cut < text.length; cut++) {
      expect(await all([text.slice(0, cut), text.slice(cut)]), `cut at ${cut}`).toEqual(expected);
    }
    expect(await all([...text])).toEqual(expected);
  });

  it("drops an event the stream ended in the middle of", async () => {
    expect(await all(["event: log\ndata: whole\n\nevent: log\ndata: half"])).toEqual([{ event: "log", data: "whole" }]);
  });

  it("a reader that stops early cancels the stream (the connection closes)", async () => {
    let canceled = false;
    for await (const event of readEvents(streamOf(["data: one\n\ndata: two\n\n"], () => (canceled = true)))) {
      expect(event.data).toBe("one");
      break;
    }
    expect(canceled).toBe(true);
  });
});
