/**
 * Mounts the Hono control plane (lib/api) for every method under /api. `/health` reaches this
 * handler through the rewrite in next.config.ts with its original URL, so it is mapped onto
 * `/api/health` here.
 */
import { controlPlane } from "@/lib/server";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Below this many bytes compression costs more than it saves (the threshold of Next's own compression). */
const COMPRESS_THRESHOLD_BYTES = 1024;

/**
 * Keeps Next from gzipping tiny JSON answers (`{ runId }`, errors). Next drops a route handler's
 * Content-Length, so its compression cannot apply its 1 KB threshold and gzips everything: in
 * `npm run bench -- webhooks` that was the largest single CPU cost of a webhook request. A JSON
 * body under the threshold is marked `no-transform`, which Next's compression honours; larger
 * bodies are still compressed. Streams (SSE) and other types pass through untouched.
 */
async function skipCompressionWhenSmall(response: Response): Promise<Response> {
  if (!response.body || response.headers.has("cache-control") || !response.headers.get("content-type")?.startsWith("application/json")) {
    return response;
  }
  const body = await response.arrayBuffer();
  const headers = new Headers(response.headers);
  if (body.byteLength < COMPRESS_THRESHOLD_BYTES) headers.set("cache-control", "no-transform");
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/health") {
    url.pathname = "/api/health";
    return skipCompressionWhenSmall(await controlPlane().fetch(new Request(url, request)));
  }
  return skipCompressionWhenSmall(await controlPlane().fetch(request));
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE, handle as OPTIONS, handle as HEAD };
