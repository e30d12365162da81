/**
 * Serves a test app's Hono control plane over real HTTP on 127.0.0.1 (node:http → fetch Request →
 * `app.api.fetch`, the answer streamed back), the way `next start` hands requests to it. Every
 * Set-Cookie header goes out as its own line, as a browser receives them. A client
 * that goes away aborts the request and cancels the answer's body (a run stream stops following).
 * It records each request's method, path and headers, and can cut every open connection (a
 * network drop, mid-stream), for clients that must resume (the CLI's `logs --follow`).
 */
import http, { type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { TestApp } from "./api";

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
}

export interface ServedApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request so far, in arrival order. */
  requests: SeenRequest[];
  /** The first request (already seen or still to come) matching `predicate`. */
  waitForRequest(predicate: (request: SeenRequest) => boolean): Promise<SeenRequest>;
  /** Destroys every open connection. */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1 until `close()`. */
export async function serveApi(app: TestApp): Promise<ServedApi> {
  const sockets = new Set<Socket>();
  const requests: SeenRequest[] = [];
  const waiters = new Set<(request: SeenRequest) => void>();
  const server = http.createServer(async (req, res) => {
    const seen = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers };
    requests.push(seen);
    for (const waiter of waiters) waiter(seen);
    const gone = new AbortController();
    res.on("close", () => gone.abort());
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      }
      const body = chunks.length && req.method !== "GET" && req.method !== "HEAD" ? Buffer.concat(chunks) : undefined;
      const response = await app.api.fetch(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body, signal: gone.signal }));
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => (out[name] = name === "set-cookie" ? response.headers.getSetCookie() : value));
      res.writeHead(response.status, out);
      if (!response.body) return void res.end();
      const stream = Readable.fromWeb(response.body as NodeReadableStream);
      res.on("close", () => stream.destroy());
      stream.on("error", () => res.destroy());
      stream.pipe(res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    }
  });
  server.on("connection", (socket) => (sockets.add(socket), socket.on("close", () => sockets.delete(socket))));
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    waitForRequest: (predicate) =>
      new Promise((resolve) => {
        const found = requests.find(predicate);
        if (found) return resolve(found);
        const waiter = (request: SeenRequest) => {
          if (!predicate(request)) return;
          waiters.delete(waiter);
          resolve(request);
        };
        waiters.add(waiter);
      }),
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
