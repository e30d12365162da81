/**
 * Mounts the Hono control plane (lib/api) for every method under /api. `/health` reaches this
 * handler through the rewrite in next.config.ts with its original URL, so it is mapped onto
 * `/api/health` here.
 */
import { controlPlane } from "@/lib/server";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Keeps Next from gzipping answers that are small by nature: inbound webhooks (`{ runId }`),
 * health checks and errors. Next drops a route handler's Content-Length, so its compression
 * cannot apply its 1 KB threshold and gzips everything; in `npm run bench -- webhooks` that was
 * the largest single CPU cost of a webhook request. `no-transform` is what Next's compression
 * honours. Other answers (catalogs, lists, definitions) are still compressed; streams pass through.
 */
function skipCompressionWhenSmall(pathname: string, response: Response): Response {
  const small = response.status >= 400 || pathname.startsWith("/api/webhooks/") || pathname === "/api/health";
  if (small && response.body && !response.headers.has("cache-control") && response.headers.get("content-type")?.startsWith("application/json")) {
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
  if (url.pathname === "/health") {
    url.pathname = "/api/health";
    return skipCompressionWhenSmall(url.pathname, await controlPlane().fetch(new Request(url, request)));
  }
  return skipCompressionWhenSmall(url.pathname, await controlPlane().fetch(request));
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE, handle as OPTIONS, handle as HEAD };
