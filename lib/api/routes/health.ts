/** `GET /api/health` (and `/health` through the rewrite in next.config.ts): liveness, never limited. */
import { createRoute, z } from "@hono/zod-openapi";
import { WEFT_VERSION } from "@/lib/version";
import { createRouter } from "../router";

const route = createRoute({
  method: "get",
  path: "/",
  tags: ["health"],
  summary: "Liveness",
  security: [],
  responses: {
    200: {
      description: "The service is up",
      content: { "application/json": { schema: z.object({ status: z.literal("ok"), version: z.string() }).openapi("Health") } },
    },
  },
});

/** The health sub-app. */
export function healthRoutes() {
  return createRouter().openapi(route, (c) => c.json({ status: "ok" as const, version: WEFT_VERSION }, 200));
}
