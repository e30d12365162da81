/**
 * Mounts the Hono control plane (lib/api) for every method under /api, for `next dev` and a bare
 * `next start`: in production the web process (web/index.ts) answers /api and /health itself,
 * before Next sees them. `/health` reaches this handler through the rewrite in next.config.ts
 * with its original URL; `serveApiRequest` maps it onto `/api/health`.
 */
import { peerAddressFromHook } from "@/lib/api/client-address";
import { serveApiRequest } from "@/lib/server";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  // The connection's address, from the preload that `npm start` installs (lib/api/client-address.ts).
  return serveApiRequest(request, peerAddressFromHook(request.headers));
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE, handle as OPTIONS, handle as HEAD };
