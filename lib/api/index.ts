/**
 * `createControlPlaneApi(options)`: builds the Hono control plane from what it is given and holds
 * no module-level state, so Next.js, plain Node, Bun or Deno can serve it, and tests can boot a
 * fresh one per database (DESIGN §1).
 */
import { Hono } from "hono";
import type { DatabaseHandle } from "@/db/client";
import type { Logger } from "@/lib/log";
import { ApiError, errorResponse } from "./errors";
import { healthRoutes } from "./routes/health";

export interface ControlPlaneOptions {
  database: DatabaseHandle;
  logger: Logger;
}

export type ControlPlaneApi = Hono;

/** The Hono app, mounted at `/api`. */
export function createControlPlaneApi(options: ControlPlaneOptions): ControlPlaneApi {
  const app = new Hono().basePath("/api");

  app.route("/health", healthRoutes());

  app.notFound((c) => errorResponse(c, 404, "not_found", `No route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error.status, error.code, error.message, error.extra);
    options.logger.error({ err: error, method: c.req.method, path: c.req.path }, "unhandled error");
    return errorResponse(c, 500, "internal_error", "Something went wrong on our side.");
  });
  return app;
}
