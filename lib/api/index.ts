/**
 * `createControlPlaneApi(options)`: builds the Hono control plane from what it is given and holds
 * no module-level state, so Next.js, plain Node, Bun or Deno can serve it, and tests can boot a
 * fresh one per database (docs/architecture.md).
 *
 * Order matters: open routes (health, OpenAPI, better-auth) are registered before the auth and
 * rate-limit middleware, so they answer without credentials; every route after them is
 * authenticated (fail closed) and limited per (organization, principal).
 */
import type { BlockList } from "node:net";
import { HTTPException } from "hono/http-exception";
import { checkSchemaName, DEFAULT_SCHEMA, type DatabaseHandle } from "@/db/client";
import { CLIENT_ADDRESS_HEADER, type WeftAuth } from "@/lib/auth";
import type { ConnectorRegistry } from "@/lib/engine/connector";
import { connectorRegistry } from "@/lib/connectors";
import type { Logger } from "@/lib/log";
import type { Runtime } from "@/lib/runtime/types";
import { DEFAULT_RETENTION_DAYS } from "@/lib/store/organization-settings";
import { DEFAULT_LAYOUT_FOLD_MS } from "@/lib/workflows/edit";
import { clientAddress, trustedProxyList } from "./client-address";
import type { ApiDeps, AppEnv } from "./context";
import { isDatabaseUnavailable } from "@/lib/store/availability";
import { ApiError, databaseUnavailable, errorResponse } from "./errors";
import { limitBody, rateLimit, rejectNulInUrl, requestContext, requireJsonBody } from "./middleware";
import { authenticate } from "./middleware/auth";
import { registerOpenApi } from "./openapi";
import { createMemoryRateLimiter, createPostgresRateLimiter, type RateLimiter, type RateLimitStore } from "./rate-limit";
import { createRouter } from "./router";
import { connectorRoutes } from "./routes/connectors";
import { eventRoutes } from "./routes/events";
import { healthRoutes } from "./routes/health";
import { keyRoutes } from "./routes/keys";
import { mcpRoutes } from "./routes/mcp";
import { meRoutes } from "./routes/me";
import { runRoutes } from "./routes/runs";
import { secretRoutes } from "./routes/secrets";
import { workflowRunRoutes } from "./routes/workflow-runs";
import { workflowRoutes } from "./routes/workflows";
import { adminRoutes } from "./routes/admin";
import { scheduleRoutes } from "./routes/schedules";
import { settingsRoutes } from "./routes/settings";
import { webhookEndpointRoutes } from "./routes/webhook-endpoints";
import { inboundWebhookRoutes } from "./routes/webhooks-inbound";
import { createCodeWebhookRegistry, type CodeWebhookRegistry } from "./code-webhooks";

export interface ControlPlaneOptions {
  database: DatabaseHandle;
  logger: Logger;
  auth: WeftAuth;
  /** The app's public URL (allowed Origin of cookie-authenticated mutations). */
  baseUrl: string;
  /** 32-byte key for secrets at rest. */
  secretsKey: Buffer;
  /**
   * WEFT_RATE_LIMIT_STORE: where the default limiters keep their buckets. `memory` (default): in
   * this instance, so each web instance has budgets of its own; `postgres`: in the database, so
   * every instance on it shares one budget per principal and per webhook endpoint.
   */
  rateLimitStore?: RateLimitStore;
  /** API keys' buckets. Default: token buckets of `rateLimitPerMinute` (60) in `rateLimitStore`. */
  rateLimiter?: RateLimiter;
  rateLimitPerMinute?: number;
  /** Signed-in users' buckets (cookie or session token). Default: `sessionRateLimitPerMinute` (600) in `rateLimitStore`. */
  sessionRateLimiter?: RateLimiter;
  sessionRateLimitPerMinute?: number;
  /** Inbound webhook calls per minute per endpoint (default 600), on their own buckets in `rateLimitStore`. */
  webhookRateLimitPerMinute?: number;
  /** Default: the built-in connectors. */
  registry?: ConnectorRegistry;
  /** WEFT_TRUSTED_PROXIES: addresses/CIDRs whose `X-Forwarded-For` names the client (lib/api/client-address.ts). */
  trustedProxies?: readonly string[];
  /** Runs: dispatch, read, events, cancel (lib/runtime), opened for the same schema. */
  runtime: Runtime;
  /**
   * The Postgres schema of Weft's tables (default public), so two instances can share a database.
   * `database` and `runtime` must be opened for it (`openDatabase(url, { schema })`,
   * `openRuntime({ schema })`, `migrateDatabase(url, { schema })`); a mismatch throws here.
   */
  schema?: string;
  /**
   * WEFT_LAYOUT_FOLD_MS: one actor's position-only saves less than this many milliseconds apart
   * share one history entry (docs/patch-endpoint.md, "History"); 0 never folds. Default 5000.
   */
  layoutFoldMs?: number;
  /** WEFT_RETENTION_DAYS: days finished runs are kept where an organization did not choose (shown by `/api/settings/retention`); default 30. */
  retentionDays?: number;
}

export type ControlPlaneApi = ControlPlaneRoutes & {
  /** Operator-defined inbound routes, registered in code at start-up (docs/runs.md, "Inbound webhooks"). */
  webhooks: Pick<CodeWebhookRegistry, "register">;
};

/** The Hono app, mounted at `/api`. */
export function createControlPlaneApi(options: ControlPlaneOptions): ControlPlaneApi {
  const schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
  for (const [name, opened] of [["database", options.database.schema], ["runtime", options.runtime.schema]] as const) {
    if (opened !== schema) {
      throw new Error(`createControlPlaneApi: schema is "${schema}" but the ${name} was opened for "${opened}"; open both for the same schema.`);
    }
  }
  const limiter = (scope: string, perMinute: number): RateLimiter =>
    options.rateLimitStore === "postgres"
      ? createPostgresRateLimiter({
          sql: options.database.sql,
          perMinute,
          scope,
          onError: (error) => options.logger.warn({ err: error, scope }, "rate limiter store failed; request let through"),
        })
      : createMemoryRateLimiter({ perMinute });
  const deps: ApiDeps = {
    db: options.database.db,
    sql: options.database.sql,
    logger: options.logger,
    auth: options.auth,
    registry: options.registry ?? connectorRegistry,
    rateLimiter: options.rateLimiter ?? limiter("api_key", options.rateLimitPerMinute ?? 60),
    sessionRateLimiter: options.sessionRateLimiter ?? limiter("session", options.sessionRateLimitPerMinute ?? 600),
    baseUrl: options.baseUrl.replace(/\/$/, ""),
    secretsKey: options.secretsKey,
    runtime: options.runtime,
    layoutFoldMs: options.layoutFoldMs ?? DEFAULT_LAYOUT_FOLD_MS,
    retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS,
  };
  const app = apiRoot();

  const codeWebhooks = createCodeWebhookRegistry();

  // Code-defined webhook routes are registered at start-up only: the first request seals them.
  app.use("*", async (_c, next) => {
    codeWebhooks.seal();
    await next();
  });
  app.use("*", requestContext(options.logger), limitBody(), rejectNulInUrl());
  // Inbound webhooks accept any body type (they verify a signature over the raw bytes).
  const jsonBody = requireJsonBody();
  app.use("*", async (c, next) => (c.req.path.startsWith("/api/webhooks/") ? next() : jsonBody(c, next)));

  // Open: no credentials, never rate-limited by us.
  app.route("/health", healthRoutes());
  const proxies = options.trustedProxies?.length ? trustedProxyList(options.trustedProxies) : null;
  // c.env is undefined when the app is called without bindings (tests' app.request, other servers).
  app.on(["GET", "POST"], "/auth/*", (c) => deps.auth.handler(withClientAddress(c.req.raw, c.env as AppEnv["Bindings"] | undefined, proxies)));
  registerOpenApi(app);
  // Inbound webhooks carry their own secret, and are rate-limited per endpoint.
  const webhookLimiter = limiter("webhook", options.webhookRateLimitPerMinute ?? 600);
  app.route("/webhooks", inboundWebhookRoutes(deps, codeWebhooks, webhookLimiter));

  // Everything below is authenticated and rate-limited.
  app.use("*", authenticate(deps), rateLimit({ api_key: deps.rateLimiter, session: deps.sessionRateLimiter }));
  const routes = mountProductRoutes(app, deps);

  app.notFound((c) => errorResponse(c, 404, "not_found", `No route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return errorResponse(c, error.status, error.code, error.message, error.extra);
    }
    if (error instanceof HTTPException && error.status < 500) {
      const codes: Record<number, string> = { 400: "invalid_body", 413: "payload_too_large", 415: "unsupported_media_type" };
      const code = codes[error.status] ?? "bad_request";
      return errorResponse(c, error.status, code, error.message);
    }
    if (isDatabaseUnavailable(error)) {
      (c.get("log") ?? options.logger).warn({ err: error, method: c.req.method, path: c.req.path }, "database unavailable");
      return databaseUnavailable(c);
    }
    (c.get("log") ?? options.logger).error({ err: error, method: c.req.method, path: c.req.path }, "unhandled error");
    return errorResponse(c, 500, "internal_error", "Something went wrong on our side.");
  });
  return Object.assign(routes, { webhooks: { register: codeWebhooks.register } });
}

/**
 * The authenticated product routes, mounted in one chain so their types accumulate: `typeof` the
 * result is what Hono's typed client infers the API from (`hc<ControlPlaneRoutes>(url)`).
 */
function mountProductRoutes(app: ReturnType<typeof apiRoot>, deps: ApiDeps) {
  return app
    .route("/me", meRoutes(deps))
    .route("/keys", keyRoutes(deps))
    .route("/workflows", workflowRoutes(deps))
    .route("/workflows", workflowRunRoutes(deps))
    .route("/runs", runRoutes(deps))
    .route("/events", eventRoutes(deps))
    .route("/connectors", connectorRoutes(deps))
    .route("/secrets", secretRoutes(deps))
    .route("/schedules", scheduleRoutes(deps))
    .route("/workflows", webhookEndpointRoutes(deps))
    .route("/admin", adminRoutes(deps))
    .route("/settings", settingsRoutes(deps))
    .route("/mcp", mcpRoutes(deps));
}

function apiRoot() {
  return createRouter().basePath("/api");
}

/** The typed shape of the control plane's routes, for `hc<ControlPlaneRoutes>` (lib/api/client.ts). */
export type ControlPlaneRoutes = ReturnType<typeof mountProductRoutes>;

/** The request better-auth sees: CLIENT_ADDRESS_HEADER set to the address it may key by, or removed. */
function withClientAddress(request: Request, env: AppEnv["Bindings"] | undefined, proxies: BlockList | null): Request {
  const address = clientAddress({ peer: env?.peerAddress, forwardedFor: request.headers.get("x-forwarded-for") ?? undefined, proxies });
  const headers = new Headers(request.headers);
  if (address === null) headers.delete(CLIENT_ADDRESS_HEADER);
  else headers.set(CLIENT_ADDRESS_HEADER, address);
  return new Request(request, { headers });
}
