/**
 * Serves a test app's control plane over real HTTP on 127.0.0.1 (a random port), for clients that
 * are separate processes (the CLI). Response bodies are streamed as the app writes them (the run
 * stream is Server-Sent Events), and a client that goes away cancels the body, as a server runtime
 * does. It records each request's method, path and headers, and can cut every open connection.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { TestApp } from "./api";

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
}

export interface HttpTestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request so far, in arrival order. */
  requests: SeenRequest[];
  /** The first request (already seen or still to come) matching `predicate`. */
  waitForRequest(predicate: (request: SeenRequest) => boolean): Promise<SeenRequest>;
  /** Destroys every open connection (a network drop, mid-stream). */
  dropConnections(): void;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Starts serving `app.api` over HTTP; close it before `app.close()`. */
export async function serveOverHttp(app: TestApp): Promise<HttpTestServer> {
  const requests: SeenRequest[] = [];
  const waiters = new Set<(request: SeenRequest) => void>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const seen = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers };
    requests.push(seen);
    for (const waiter of waiters) waiter(seen);
    void (async () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
        else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      }
      const abort = new AbortController();
      res.on("close", () => abort.abort());
      const body = await bodyOf(req);
      const response = await app.api.fetch(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body, signal: abort.signal }));
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => (out[name] = name === "set-cookie" ? response.headers.getSetCookie() : value));
      res.writeHead(response.status, out);
      if (!response.body) return void res.end();
      const reader = response.body.getReader();
      res.on("close", () => void reader.cancel().catch(() => {}));
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          res.write(value);
        }
        res.end();
      } catch {
        res.destroy();
      }
    })().catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
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
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
