/**
 * Code-defined inbound routes (docs/runs.md, "Inbound webhooks"): an operator registers them at start-up with
 * `api.webhooks.register({ path, method, handler })`, and they are served at
 * `/api/webhooks<path>` after the per-tenant endpoints. There is no HTTP route that creates one.
 *
 * Paths are exact (no parameters), made of unreserved URL characters, and may not start with a
 * `whk_` segment: that namespace belongs to tenant endpoints, so a code route can never shadow
 * one. The handler owns its authentication: nothing checks a secret before it runs.
 */
import type { Context } from "hono";
import type { AppEnv } from "./context";

export type CodeWebhookMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

const METHODS: readonly CodeWebhookMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** A Hono handler answering the request. */
export type CodeWebhookHandler = (c: Context<AppEnv>) => Response | Promise<Response>;

export interface CodeWebhookRoute {
  /** Served at `/api/webhooks<path>`, e.g. "/github/push". */
  path: string;
  /** GET, POST, PUT, PATCH or DELETE (any case). */
  method: string;
  handler: CodeWebhookHandler;
}

export type CodeWebhookMatch =
  | { kind: "route"; handler: CodeWebhookHandler }
  /** The path is registered, but not for this method. */
  | { kind: "method_not_allowed"; allow: CodeWebhookMethod[] };

export interface CodeWebhookRegistry {
  /**
   * Adds a route. Throws on a bad path or method, a path in the tenant namespace (`/whk_…`), a
   * (method, path) already registered, or once the registry is sealed (the app started serving).
   */
  register(route: CodeWebhookRoute): void;
  /** The route for (method, path below /api/webhooks); null when no route has that path. Seals the registry. */
  match(method: string, path: string): CodeWebhookMatch | null;
  /** Refuses further registrations; called when the app serves its first request. Idempotent. */
  seal(): void;
}

/** `/segment(/segment)*` of unreserved characters, with no `.` or `..` segments. */
const PATH_PATTERN = /^(\/[A-Za-z0-9._~-]+)+$/;
const MAX_PATH_LENGTH = 200;

function checkPath(path: unknown): string {
  if (typeof path !== "string" || !path.startsWith("/")) throw new Error(`webhooks.register: the path must start with "/", got ${JSON.stringify(path)}`);
  if (path.length > MAX_PATH_LENGTH) throw new Error(`webhooks.register: the path is longer than ${MAX_PATH_LENGTH} characters`);
  const segments = path.split("/").slice(1);
  if (!PATH_PATTERN.test(path) || segments.some((s) => s === "." || s === ".." || s.includes(".."))) {
    throw new Error(
      `webhooks.register: ${JSON.stringify(path)} is not a plain path: use segments of letters, digits, ".", "_", "~" and "-", without ".." or a trailing "/"`,
    );
  }
  if (segments[0].startsWith("whk_")) {
    throw new Error(`webhooks.register: ${path} is in the tenant endpoint namespace (/whk_…); choose another path`);
  }
  return path;
}

function checkMethod(method: unknown): CodeWebhookMethod {
  const upper = typeof method === "string" ? method.toUpperCase() : "";
  const found = METHODS.find((m) => m === upper);
  if (!found) throw new Error(`webhooks.register: the method must be one of ${METHODS.join(", ")}, got ${JSON.stringify(method)}`);
  return found;
}

/** An empty registry of code-defined routes. */
export function createCodeWebhookRegistry(): CodeWebhookRegistry {
  /** path → method → handler */
  const routes = new Map<string, Map<CodeWebhookMethod, CodeWebhookHandler>>();
  let sealed = false;

  return {
    register(route) {
      if (sealed) throw new Error("webhooks.register: routes can only be registered at start-up, before the app serves requests");
      const path = checkPath(route.path);
      const method = checkMethod(route.method);
      if (typeof route.handler !== "function") throw new Error(`webhooks.register: ${method} ${path} needs a handler function`);
      const byMethod = routes.get(path) ?? new Map<CodeWebhookMethod, CodeWebhookHandler>();
      if (byMethod.has(method)) throw new Error(`webhooks.register: ${method} ${path} is already registered`);
      byMethod.set(method, route.handler);
      routes.set(path, byMethod);
    },
    match(method, path) {
      sealed = true;
      const byMethod = routes.get(path);
      if (!byMethod) return null;
      const handler = byMethod.get(method.toUpperCase() as CodeWebhookMethod);
      if (handler) return { kind: "route", handler };
      return { kind: "method_not_allowed", allow: METHODS.filter((m) => byMethod.has(m)) };
    },
    seal() {
      sealed = true;
    },
  };
}
