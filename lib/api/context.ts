/**
 * What every control-plane handler can read from the request context (Hono `Variables`), and the
 * dependencies route groups are built from. No module-level state: everything comes in here.
 */
import type postgres from "postgres";
import type { Database } from "@/db/client";
import type { ConnectorRegistry } from "@/lib/engine/connector";
import type { Logger } from "@/lib/log";
import type { WeftAuth } from "@/lib/auth";
import type { Runtime } from "@/lib/runtime/types";
import type { RateLimiter } from "./rate-limit";

export type Role = "owner" | "admin" | "member";

/** Who is calling, resolved by the auth middleware (docs/architecture.md, "Tenancy and auth"). */
export interface Principal {
  organizationId: string;
  /** owner/admin/member; an API key acts as a member. */
  role: Role;
  authMode: "session" | "api_key";
  userId: string | null;
  apiKeyId: string | null;
  /** Rate-limit and audit identity: `user:<id>` or `api_key:<id>`. */
  id: string;
}

export interface AppEnv {
  /** What the server in front knows of the connection (the Next route handler passes it to `fetch`). */
  Bindings: {
    /** The TCP peer's address, when known (lib/api/client-address.ts). */
    peerAddress?: string;
  };
  Variables: {
    principal: Principal;
    requestId: string;
    log: Logger;
  };
}

/** Everything route groups need, built once by createControlPlaneApi. */
export interface ApiDeps {
  db: Database;
  /** The postgres.js pool under `db` (the schedule ticker reserves connections of it). */
  sql: postgres.Sql;
  logger: Logger;
  auth: WeftAuth;
  registry: ConnectorRegistry;
  /** API keys' buckets. */
  rateLimiter: RateLimiter;
  /** Signed-in users' buckets: the web app refreshes live, so people get a larger budget than agents. */
  sessionRateLimiter: RateLimiter;
  /** The app's public URL: cookie-authenticated mutations must carry it as Origin. */
  baseUrl: string;
  /** 32-byte AES-256-GCM key for secrets at rest. */
  secretsKey: Buffer;
  /** Dispatches, reads, signals and cancels runs (lib/runtime). */
  runtime: Runtime;
  /** WEFT_LAYOUT_FOLD_MS: the window in which one actor's position-only saves share a history entry (0: never). */
  layoutFoldMs: number;
  /** WEFT_RETENTION_DAYS: how long organizations that did not choose keep finished runs. */
  retentionDays: number;
}
