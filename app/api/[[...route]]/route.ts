/**
 * Mounts the Hono control plane (lib/api) for every method under /api. `/health` reaches this
 * handler through the rewrite in next.config.ts with its original URL, so it is mapped onto
 * `/api/health` here.
 */
import { controlPlane } from "@/lib/server";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

function handle(request: Request): Response | Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/health") {
    url.pathname = "/api/health";
    return controlPlane().fetch(new Request(url, request));
  }
  return controlPlane().fetch(request);
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE, handle as OPTIONS, handle as HEAD };
