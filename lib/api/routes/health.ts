/** `GET /api/health` (and `/health` through the rewrite in next.config.ts): liveness, never limited. */
import { Hono } from "hono";
import { WEFT_VERSION } from "@/lib/version";

/** The health sub-app. */
export function healthRoutes(): Hono {
  return new Hono().get("/", (c) => c.json({ status: "ok", version: WEFT_VERSION }));
}
