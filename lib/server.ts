/**
 * The web process's control plane instance, built once from the validated environment.
 * Only the Next.js route handler imports this; everything else receives its dependencies.
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
// separate chunks, and each would otherwise open pools of its own.
const holder = globalThis as typeof globalThis & { __weftServices?: Services };

/** The app's Hono instance; throws a ConfigError naming bad variables on first use. */
export function controlPlane(): ControlPlaneApi {
  return services().api;
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
