/**
 * The typed client of the control plane: Hono's `hc` over the route types of lib/api/index.ts, so
 * the web app (and any TypeScript caller) gets each route's path, input and JSON answer checked at
 * compile time. Importing this module pulls in no server code: the routes are a type import.
 */
import { hc, type ClientRequestOptions } from "hono/client";
import type { ControlPlaneRoutes } from "./index";

export type ControlPlaneClient = ReturnType<typeof hc<ControlPlaneRoutes>>;

/** A client for the app at `baseUrl` (its origin; the routes carry the `/api` prefix). */
export function createApiClient(baseUrl: string, options?: ClientRequestOptions): ControlPlaneClient {
  return hc<ControlPlaneRoutes>(baseUrl, options);
}
