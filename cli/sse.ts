/**
 * Server-Sent Events, read from a response body as the HTML standard's parser does: lines end in
 * LF, CR or CRLF (even split across chunks); `event`, `data` (joined by "\n") and `id` fields; a
 * blank line dispatches; lines starting with ":" are comments (the run stream's `: ping`).
 */

export interface SseEvent {
  event: string;
  data: string;
  /** The event's `id` field, if it had one. */
  id?: string;
}

/** The events of `body` in order; `onBytes` is called for every chunk (a liveness signal). */
export async function* readEvents(body: ReadableStream<Uint8Array>, onBytes?: () => void): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let pending: { event: string; data: string[]; id?: string } = { event: "", data: [] };
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      onBytes?.();
      buffer += decoder.decode(value, { stream: true });
      // A trailing CR may be the first half of CRLF: keep it until the next chunk says.
      let end: number;
      while ((end = lineEnd(buffer)) !== -1) {
        const line = buffer.slice(0, end);
        const skip = buffer[end] === "\r" && buffer[end + 1] === "\n" ? 2 : 1;
        buffer = buffer.slice(end + skip);
        if (line === "") {
          if (pending.data.length > 0) yield { event: pending.event || "message", data: pending.data.join("\n"), ...(pending.id !== undefined ? { id: pending.id } : {}) };
          pending = { event: "", data: [] };
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") pending.event = value;
        else if (field === "data") pending.data.push(value);
        else if (field === "id" && !value.includes("\0")) pending.id = value;
      }
    }
  } finally {
    // A reader that stops early closes the connection, so the server stops following too.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** The index of the first complete line end in `text`, or -1 (a CR at the very end may be half a CRLF). */
function lineEnd(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\n") return i;
    if (text[i] === "\r") return i + 1 < text.length ? i : -1;
  }
  return -1;
}
