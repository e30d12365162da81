/**
 * The web process in production (`npm start` runs it compiled, dist/server/web.js; docs/architecture.md,
 * "Processes"). One HTTP server: `/api/…` and `/health` go straight to the Hono control plane
 * (lib/server.ts `serveApiRequest`), everything else to Next's request handler (pages, static
 * files, middleware.ts). Next's own route pipeline (routing, its request wrappers and async
 * contexts) cost about as much CPU per API request as the control plane's own work, so API
 * requests skip it: the same webhook took 2.3 ms of CPU through `next start` and 1.1 ms here
 * (README, "Benchmarks"). `next dev` and a bare `next start` still serve /api through
 * app/api/[[...route]]/route.ts, the same `serveApiRequest`.
 *
 * API answers get the headers next.config.ts gives them under Next (lib/security-headers.ts).
 * The preload `npm start` gives this process (scripts/peer-address.mjs: each request's TCP peer
 * address, timeouts, JSON answers to unparseable HTTP) applies to this server as it did to Next's.
 * It listens on PORT on every address, as `next start -p` did. SIGTERM / SIGINT: stop accepting
 * connections and exit.
 */
import http from "node:http";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { getRequestListener } from "@hono/node-server";
import next from "next";
import { peerAddressFromHook } from "@/lib/api/client-address";
import { ConfigError, loadConfig } from "@/lib/config";
import { API_CONTENT_SECURITY_POLICY, COMMON_SECURITY_HEADERS } from "@/lib/security-headers";
import { controlPlane, serveApiRequest } from "@/lib/server";

/** The checkout (the nearest folder above this file with package.json): Next's build is in its .next/. */
function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const API_HEADERS = [...COMMON_SECURITY_HEADERS, API_CONTENT_SECURITY_POLICY];

/** Whether the control plane answers `path` (a request target: path and query). */
function isApiPath(path: string): boolean {
  return path === "/health" || path.startsWith("/health?") || path === "/api" || path.startsWith("/api/") || path.startsWith("/api?");
}

async function main(): Promise<void> {
  let port: number;
  try {
    port = loadConfig().PORT;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  process.title = "weft-web";
  // Builds the control plane (pools, listeners) now, so the first request does not pay for it and
  // pages (Next's bundled copy of lib/server.ts) find this instance on globalThis.
  controlPlane();
  const app = next({ dev: false, dir: projectRoot(), port });
  await app.prepare();
  const pages = app.getRequestHandler();
  const api = getRequestListener(async (request) => {
    const response = await serveApiRequest(request, peerAddressFromHook(request.headers));
    for (const { key, value } of API_HEADERS) if (!response.headers.has(key)) setHeader(response, key, value);
    return response;
  });
  // `http.createServer`, read at call time: the preload replaced it (a named import would bind the original).
  const server = http.createServer((req, res) => {
    if (isApiPath(req.url ?? "/")) void api(req, res);
    else void pages(req, res);
  });
  server.listen(port);
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

/** Sets a header unless the response's headers are immutable (a code-defined webhook returning a fetch() response). */
function setHeader(response: Response, key: string, value: string): void {
  try {
    response.headers.set(key, value);
  } catch {
    // left as the route made it
  }
}

await main();
