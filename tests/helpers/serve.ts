/**
 * Serves a test app's Hono control plane over real HTTP on 127.0.0.1 (node:http → fetch Request →
 * `app.api.fetch`, the answer streamed back), the way `next start` hands requests to it. Every
 * Set-Cookie header goes out as its own line, as a browser receives them.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { TestApp } from "./api";

export interface ServedApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1 until `close()`. */
export async function serveApi(app: TestApp): Promise<ServedApi> {
  const sockets = new Set<Socket>();
  const server = http.createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      }
      const body = chunks.length && req.method !== "GET" && req.method !== "HEAD" ? Buffer.concat(chunks) : undefined;
      const response = await app.api.fetch(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body }));
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => (out[name] = name === "set-cookie" ? response.headers.getSetCookie() : value));
      res.writeHead(response.status, out);
      if (response.body) Readable.fromWeb(response.body as NodeReadableStream).pipe(res);
      else res.end();
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  server.on("connection", (socket) => (sockets.add(socket), socket.on("close", () => sockets.delete(socket))));
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
