/**
 * The web process's control plane instance, built once from the validated environment.
 * Only the web process's doors import this (web/index.ts, which serves /api in production, the
 * Next.js route handler, which serves it under `next dev`, and the pages that read the session);
 * everything else receives its dependencies.
 */
import { randomBytes } from "node:crypto";
import { openDatabase } from "@/db/client";
import { createControlPlaneApi, type ControlPlaneApi } from "@/lib/api";
import { createAuth, type WeftAuth } from "@/lib/auth";
import { baseUrl, loadConfig } from "@/lib/config";
import { createLogger } from "@/lib/log";
import { openRuntime } from "@/lib/runtime";

interface Services {
  api: ControlPlaneApi;
  auth: WeftAuth;
}

// On globalThis, not in module scope: Next bundles route handlers and server components into
// separate chunks, and the web process (web/index.ts) has a compiled copy of its own; each would
// otherwise open pools of its own.
const holder = globalThis as typeof globalThis & { __weftServices?: Services };

/** The app's Hono instance; throws a ConfigError naming bad variables on first use. */
export function controlPlane(): ControlPlaneApi {
  return services().api;
}

/**
 * Answers one API request (`/api/…`, or `/health`, which is `/api/health`) from the control plane
 * instance, with `peerAddress` the connection's address (lib/api/client-address.ts).
 * JSON answers say `Cache-Control: no-transform`: Next gzips every route handler answer on its one
 * JavaScript thread (it drops their Content-Length, so even its 1 KB threshold does not apply),
 * which was the largest single CPU cost of a webhook request; `no-transform` is what Next's
 * compression honours. Pages and static assets are still compressed.
 */
export async function serveApiRequest(request: Request, peerAddress: string | undefined): Promise<Response> {
  const url = new URL(request.url);
  let routed = request;
  if (url.pathname === "/health") {
    url.pathname = "/api/health";
    routed = new Request(url, request);
  }
  const response = await controlPlane().fetch(routed, { peerAddress });
  // Only headers are read: asking a Response from @hono/node-server for its body turns it into a
  // full WHATWG Response with a stream (web/index.ts then has to read it back).
  if (!response.headers.has("cache-control") && response.headers.get("content-type")?.startsWith("application/json")) {
    try {
      response.headers.set("cache-control", "no-transform");
    } catch {
      // Immutable headers (a code-defined webhook route returning a fetch() response): leave them.
    }
  }
  return response;
}

/** better-auth of the same instance: server components read the session with it. */
export function serverAuth(): WeftAuth {
  return services().auth;
}

function services(): Services {
  if (!holder.__weftServices) {
    const config = loadConfig();
    if (!config.DATABASE_URL) throw new Error("DATABASE_URL is not set; start the app with `npm start`.");
    if (!config.WEFT_SECRETS_KEY) throw new Error("WEFT_SECRETS_KEY is not set; start the app with `npm start`, or see .env.example.");
    const logger = createLogger(config.LOG_LEVEL);
    let secret = config.BETTER_AUTH_SECRET;
    if (!secret) {
      if (config.NODE_ENV === "production") {
        throw new Error("BETTER_AUTH_SECRET is not set; `npm start` generates one, or see .env.example.");
      }
      // Development without `npm run dev`: sessions last as long as this process.
      secret = randomBytes(32).toString("base64url");
      logger.warn("BETTER_AUTH_SECRET is not set; using a random secret for this process (sessions end on restart)");
    }
    const schema = config.WEFT_DB_SCHEMA;
    const database = openDatabase(config.DATABASE_URL, { schema });
    const url = baseUrl(config);
    const secretsKey = Buffer.from(config.WEFT_SECRETS_KEY, "base64");
    // Dispatch and reads only: workers (`npm run worker`) execute the runs.
    const runtime = openRuntime({ databaseUrl: config.DATABASE_URL, schema, logger });
    const auth = createAuth({
      db: database.db,
      baseUrl: url,
      secret,
      signup: config.WEFT_SIGNUP,
      rateLimit: config.WEFT_AUTH_RATE_LIMIT === "on",
      logger,
    });
    const api = createControlPlaneApi({
      database,
      schema,
      logger,
      auth,
      baseUrl: url,
      secretsKey,
      rateLimitPerMinute: config.WEFT_RATE_LIMIT_PER_MIN,
      sessionRateLimitPerMinute: config.WEFT_SESSION_RATE_LIMIT_PER_MIN,
      webhookRateLimitPerMinute: config.WEFT_WEBHOOK_RATE_LIMIT_PER_MIN,
      trustedProxies: config.WEFT_TRUSTED_PROXIES,
      layoutFoldMs: config.WEFT_LAYOUT_FOLD_MS,
      rateLimitStore: config.WEFT_RATE_LIMIT_STORE,
      retentionDays: config.WEFT_RETENTION_DAYS,
      runtime,
    });
    holder.__weftServices = { api, auth };
  }
  return holder.__weftServices;
}
