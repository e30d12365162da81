"use client";

/**
 * A run's log entries, live. A run that is still going is followed over `GET /api/runs/:id/stream`
 * (EventSource: `log` events carry entries, `status` events the run; the browser reconnects by
 * itself with Last-Event-ID). A finished run's log is read page by page from `/logs`. Entries are
 * kept by (blockId, attempt): an entry written again later (a wait that ends) replaces its earlier
 * state, and entries replayed after a reconnect never show twice.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { api, read } from "@/app/_ui/api";
import { isFinal, type RunLogEntry, type RunResource } from "../run-words";

export type LogConnection = "loading" | "live" | "reconnecting" | "complete" | "error";

const PAGE = "500";
const RETRY_MS = 3_000;

export function entryKey(entry: Pick<RunLogEntry, "blockId" | "attempt">): string {
  return `${entry.blockId}#${entry.attempt}`;
}

/** Entries in time order: by start (or end) time; an entry with neither stays after the one written before it. */
function inTimeOrder(entries: Iterable<RunLogEntry>): RunLogEntry[] {
  let last = -Infinity;
  const keyed = [...entries].map((entry, index) => {
    const at = entry.startedAt ?? entry.finishedAt;
    if (at) last = Date.parse(at);
    return { entry, at: at ? Date.parse(at) : last, index };
  });
  keyed.sort((a, b) => a.at - b.at || a.index - b.index);
  return keyed.map((k) => k.entry);
}

/**
 * `run` is the run as first read (it decides stream or pages); `onRun` receives each status change
 * from the stream.
 */
export function useRunLog(run: RunResource | undefined, onRun: (run: RunResource) => void) {
  const runId = run?.id;
  const [mode, setMode] = useState<"stream" | "pages" | null>(null);
  const [connection, setConnection] = useState<LogConnection>("loading");
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const byKey = useRef(new Map<string, RunLogEntry>());
  const frame = useRef<number | null>(null);
  const onRunRef = useRef(onRun);
  useEffect(() => {
    onRunRef.current = onRun;
  }, [onRun]);

  if (run && mode === null) setMode(isFinal(run.status) ? "pages" : "stream");

  useEffect(() => {
    if (!runId || mode === null) return;
    let stopped = false;
    // Many entries can arrive at once (a replay of 2,000): render once per frame, not per entry.
    const upsert = (entries: RunLogEntry[]) => {
      for (const entry of entries) byKey.current.set(entryKey(entry), entry);
      if (frame.current === null) {
        frame.current = requestAnimationFrame(() => {
          frame.current = null;
          if (!stopped) setVersion((v) => v + 1);
        });
      }
    };

    if (mode === "pages") {
      void (async () => {
        try {
          let after: string | undefined;
          for (;;) {
            const page = await read(await api.api.runs[":runId"].logs.$get({ param: { runId }, query: { after, limit: PAGE } }));
            if (stopped) return;
            upsert(page.data as RunLogEntry[]);
            if (!page.nextCursor || page.data.length === 0) break;
            after = page.nextCursor;
          }
          setConnection("complete");
        } catch (e) {
          if (!stopped) {
            setError(e);
            setConnection("error");
          }
        }
      })();
      return () => {
        stopped = true;
      };
    }

    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/stream`);
      source.onopen = () => setConnection("live");
      source.addEventListener("log", (event) => upsert([JSON.parse((event as MessageEvent<string>).data) as RunLogEntry]));
      source.addEventListener("status", (event) => {
        const latest = JSON.parse((event as MessageEvent<string>).data) as RunResource;
        onRunRef.current(latest);
        if (isFinal(latest.status)) {
          // Every entry comes before the final status; the server then ends the stream, and the
          // browser would reconnect if the source stayed open.
          stopped = true;
          source?.close();
          setConnection("complete");
          setVersion((v) => v + 1);
        }
      });
      source.onerror = () => {
        if (stopped) return;
        setConnection("reconnecting");
        // CLOSED: the server refused (an error status); the browser gives up, so try again later.
        // Otherwise the browser reconnects on its own, sending Last-Event-ID.
        if (source?.readyState === EventSource.CLOSED) retry = setTimeout(connect, RETRY_MS);
      };
    };
    connect();
    return () => {
      stopped = true;
      source?.close();
      clearTimeout(retry);
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [runId, mode]);

  // The map is mutated in place; `version` changes whenever it does.
  const entries = useMemo(() => (version >= 0 ? inTimeOrder(byKey.current.values()) : []), [version]);
  return { entries, connection, error };
}
