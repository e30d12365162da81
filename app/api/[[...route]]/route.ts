/**
 * Mounts the Hono control plane (lib/api) for every method under /api. `/health` reaches this
 * handler through the rewrite in next.config.ts with its original URL, so it is mapped onto
 * `/api/health` here.
 */
import { peerAddressFromHook } from "@/lib/api/client-address";
import { controlPlane } from "@/lib/server";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Sends API JSON uncompressed. Next gzips every route handler answer on its one JavaScript thread
 * (it drops their Content-Length, so even its 1 KB threshold does not apply): that was the largest
 * single CPU cost of a webhook request, and without it `GET /api/workflows/:id` of a 200-block
 * workflow serves about 40 % more requests a second (`npm run bench -- http`). `no-transform` is
 * what Next's compression honours. Pages and static assets are still compressed; a reverse proxy
 * in front (README, Benchmarks) can compress API answers off the Node thread.
 */
function withoutCompression(response: Response): Response {
  if (response.body && !response.headers.has("cache-control") && response.headers.get("content-type")?.startsWith("application/json")) {
    try {
      response.headers.set("cache-control", "no-transform");
    } catch {
      // Immutable headers (a code-defined webhook route returning a fetch() response): leave them.
    }
  }
  return response;
}

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  let routed = request;
  if (url.pathname === "/health") {
    url.pathname = "/api/health";
    routed = new Request(url, request);
  }
  // The connection's address, from the preload that `npm start` installs (lib/api/client-address.ts).
  return withoutCompression(await controlPlane().fetch(routed, { peerAddress: peerAddressFromHook(request.headers) }));
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE, handle as OPTIONS, handle as HEAD };
