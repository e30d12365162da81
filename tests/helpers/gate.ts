/**
 * A local HTTP server that child runs call (`GET /item/<n>`), holding each request until the test
 * lets it through, and counting what it saw: requests in flight now and at most, and hits per
 * item. A request whose connection closes (its worker was killed) stops counting as in flight.
 * Answers `{ n }` as JSON; `fail` lists items answered at once with HTTP 500.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Gate {
  port: number;
  url(n: number | string): string;
  /** Requests held now, oldest first (item numbers). */
  held(): number[];
  /** The most requests held at once so far. */
  maxInFlight(): number;
  /** Requests per item number. */
  hits: Map<number, number>;
  /** Items answered with 200 so far. */
  answered: Set<number>;
  /** `hold` (the default) keeps requests until `releaseOldest`; `open` answers them at once. */
  setMode(mode: "hold" | "open"): void;
  /** Answers the oldest held request; false when none is held. */
  releaseOldest(): boolean;
  /** Items answered with 500 at once. */
  fail: Set<number>;
  close(): Promise<void>;
}

/** Starts a gate on 127.0.0.1 in `hold` mode. */
export async function startGate(): Promise<Gate> {
  const queue: { n: number; res: http.ServerResponse }[] = [];
  const sockets = new Set<Socket>();
  const hits = new Map<number, number>();
  const answered = new Set<number>();
  const fail = new Set<number>();
  let mode: Parameters<Gate["setMode"]>[0] = "hold";
  let max = 0;

  const answer = (entry: { n: number; res: http.ServerResponse }) => {
    queue.splice(queue.indexOf(entry), 1);
    answered.add(entry.n);
    entry.res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ n: entry.n }));
  };
  const pump = () => {
    if (mode === "open") while (queue.length > 0) answer(queue[0]);
  };

  const server = http.createServer((req, res) => {
    const match = /^\/item\/(\d+)$/.exec(req.url ?? "");
    if (!match) return void res.writeHead(404).end();
    const n = Number(match[1]);
    hits.set(n, (hits.get(n) ?? 0) + 1);
    if (fail.has(n)) return void res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ failed: n }));
    const entry = { n, res };
    queue.push(entry);
    max = Math.max(max, queue.length);
    // A killed worker's request: no longer in flight.
    req.socket.once("close", () => {
      if (queue.includes(entry)) queue.splice(queue.indexOf(entry), 1);
    });
    pump();
  });
  server.on("connection", (socket) => (sockets.add(socket), socket.once("close", () => sockets.delete(socket))));
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (n) => `http://127.0.0.1:${port}/item/${n}`,
    held: () => queue.map((e) => e.n),
    maxInFlight: () => max,
    hits,
    answered,
    fail,
    setMode(next) {
      mode = next;
      pump();
    },
    releaseOldest() {
      if (queue.length === 0) return false;
      answer(queue[0]);
      return true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
