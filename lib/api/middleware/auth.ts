/**
 * `authenticate(deps)`: resolves every control-plane request to `(organizationId, principal)`
 * (docs/architecture.md, "Tenancy and auth"), failing closed. Resolution order:
 *   1. `Authorization` present → it alone decides: it must be `Bearer <token>` (scheme in any
 *      case); a `weft_…` token is an API key, anything else a session token (bearer plugin).
 *   2. `x-api-key: weft_…`.
 *   3. The session cookie; mutations then need `Origin` equal to the app's URL (CSRF).
 * No credential, a malformed header, an unknown, expired or revoked key, or a bad session → 401
 * `unauthorized`; a session whose active organization is unset or no longer has the user as a
 * member → 401 `no_active_organization`; a cookie mutation from elsewhere → 403 `csrf_rejected`.
 * Raw keys and tokens are never logged.
 */
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import * as authSchema from "@/db/auth-schema";
import { API_KEY_PREFIX, ORG_KEY_CONFIG_ID, type WeftAuth } from "@/lib/auth";
import { isDatabaseUnavailable } from "@/lib/store/availability";
import type { ApiDeps, AppEnv, Principal, Role } from "../context";
import { ApiError } from "../errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Generated keys are the prefix plus 64 characters; anything far longer is not ours. */
const MAX_KEY_LENGTH = 256;

function unauthorized(message = "Send an API key (`Authorization: Bearer weft_…` or `x-api-key`) or a session."): ApiError {
  return new ApiError(401, "unauthorized", message);
}

/** The auth middleware for every route registered after it. */
export function authenticate(deps: ApiDeps): MiddlewareHandler<AppEnv> {
  const keys = apiKeyCache(deps.auth);
  return async (c, next) => {
    c.set("principal", await resolvePrincipal(c, deps, keys));
    await next();
  };
}

async function resolvePrincipal(c: Context<AppEnv>, deps: ApiDeps, keys: ApiKeyCache): Promise<Principal> {
  const authorization = c.req.header("authorization");
  if (authorization !== undefined) {
    const match = /^bearer[ \t]+([^\s]+)$/i.exec(authorization.trim());
    if (!match) throw unauthorized("The Authorization header must be `Bearer <API key or session token>`.");
    const token = match[1];
    if (token.startsWith(API_KEY_PREFIX)) return apiKeyPrincipal(deps, keys, token);
    if (!token.includes(".")) {
      // Bearer session tokens are signed (`<id>.<signature>`); the unsigned id in sign-up's JSON is refused.
      throw unauthorized("Use the signed session token from the set-auth-token response header of sign-in or sign-up, or an API key.");
    }
    return sessionPrincipal(deps, new Headers({ authorization: `Bearer ${token}` }));
  }
  const headerKey = c.req.header("x-api-key");
  if (headerKey !== undefined) return apiKeyPrincipal(deps, keys, headerKey.trim());
  const cookie = c.req.header("cookie");
  if (cookie) {
    const principal = await sessionPrincipal(deps, new Headers({ cookie }));
    if (!SAFE_METHODS.has(c.req.method) && c.req.header("origin") !== deps.baseUrl) {
      throw new ApiError(403, "csrf_rejected", `Cookie-authenticated ${c.req.method} requests must send Origin: ${deps.baseUrl}.`);
    }
    return principal;
  }
  throw unauthorized();
}

async function apiKeyPrincipal(deps: ApiDeps, keys: ApiKeyCache, key: string): Promise<Principal> {
  // Not one of ours: refuse without a database round trip.
  if (!key.startsWith(API_KEY_PREFIX) || key.length > MAX_KEY_LENGTH) throw unauthorized("The API key is not valid.");
  const found = await keys.resolve(key, async () => {
    const verify = () => deps.auth.api.verifyApiKey({ body: { key, configId: ORG_KEY_CONFIG_ID } });
    let result = await verify();
    if (result.error?.code === "INVALID_API_KEY") {
      // The plugin answers this for an unknown key, and also for any failed query: an outage must
      // not read as a bad key. Database down → 503; back (it may have returned meanwhile) → ask again.
      await throwIfDatabaseDown(deps);
      result = await verify();
    }
    if (!result.valid || !result.key) return null;
    // A key outlives nothing: if its organization was deleted, the key is dead too.
    const [org] = await deps.db
      .select({ id: authSchema.organization.id })
      .from(authSchema.organization)
      .where(eq(authSchema.organization.id, result.key.referenceId))
      .limit(1);
    if (!org) return null;
    return {
      keyId: result.key.id,
      organizationId: result.key.referenceId,
      expiresAt: result.key.expiresAt ? new Date(result.key.expiresAt).getTime() : null,
    };
  });
  if (!found) throw unauthorized("The API key is not valid, or has expired or been revoked.");
  return {
    organizationId: found.organizationId,
    role: "member",
    authMode: "api_key",
    userId: null,
    apiKeyId: found.keyId,
    id: `api_key:${found.keyId}`,
  };
}

async function sessionPrincipal(deps: ApiDeps, headers: Headers): Promise<Principal> {
  const session = await lookUpSession(deps, headers);
  if (!session) throw unauthorized("The session is missing, invalid or expired.");
  const userId = session.user.id;
  const organizationId = session.session.activeOrganizationId;
  const noOrg = new ApiError(
    401,
    "no_active_organization",
    "The session has no active organization; choose one with POST /api/auth/organization/set-active.",
  );
  if (!organizationId) throw noOrg;
  const [membership] = await deps.db
    .select({ role: authSchema.member.role })
    .from(authSchema.member)
    .where(and(eq(authSchema.member.organizationId, organizationId), eq(authSchema.member.userId, userId)))
    .limit(1);
  if (!membership) throw noOrg;
  return {
    organizationId,
    role: strongestRole(membership.role),
    authMode: "session",
    userId,
    apiKeyId: null,
    id: `user:${userId}`,
  };
}

/**
 * better-auth's getSession. It turns a failed query into its own 500 APIError and drops the
 * driver's error, so a 500 is checked against the database: unreachable → the driver's error (503
 * `database_unavailable`); reachable → one more try (it may have come back meanwhile), then the
 * 500. Anything below 500 (a malformed token or cookie) is just not a session: null.
 */
async function lookUpSession(deps: ApiDeps, headers: Headers): Promise<Awaited<ReturnType<WeftAuth["api"]["getSession"]>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.auth.api.getSession({ headers });
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
      if (typeof statusCode !== "number" || statusCode < 500) return null;
      await throwIfDatabaseDown(deps);
      if (attempt >= 2) throw error;
    }
  }
}

/** Throws the driver's error when the database cannot be reached (one `SELECT 1`); returns otherwise. */
async function throwIfDatabaseDown(deps: ApiDeps): Promise<void> {
  try {
    await deps.sql`SELECT 1`;
  } catch (probe) {
    if (isDatabaseUnavailable(probe)) throw probe;
  }
}

/** better-auth stores several roles comma-separated; unknown roles count as member (least). */
function strongestRole(stored: string): Role {
  const roles = stored.split(",").map((r) => r.trim());
  if (roles.includes("owner")) return "owner";
  if (roles.includes("admin")) return "admin";
  return "member";
}

// ---------------------------------------------------------------------------------------------
// API-key verification cache.
//
// better-auth's verifyApiKey costs three queries (lookup, lastRequest, updatedAt) per call; the
// hot path of an agent is many small requests with one key. Verified keys are therefore kept for
// a few seconds, in process, keyed by the SHA-256 of the key (raw keys are never held). A key
// revoked through DELETE /api/keys/:id is evicted at once on this instance (`forgetApiKey`), and a
// verification that was in flight when the revoke landed is redone and not cached (a revocation
// counter), so the next request on this instance is refused. Other instances do not hear of the
// revoke: they stop accepting the key within KEY_CACHE_TTL_MS (5 s) of the revoke's commit. A key's own expiry is checked on
// every hit. Side effect: the key's lastUsedAt is refreshed at most once per TTL. Failures are
// never cached, so a newly created key works immediately.
// ---------------------------------------------------------------------------------------------

const KEY_CACHE_TTL_MS = 5_000;
const KEY_CACHE_MAX = 10_000;

interface VerifiedKey {
  keyId: string;
  organizationId: string;
  /** Epoch ms, or null for a key that never expires. */
  expiresAt: number | null;
}

interface ApiKeyCache {
  resolve(key: string, verify: () => Promise<VerifiedKey | null>): Promise<VerifiedKey | null>;
  forget(keyId: string): void;
}

/** One cache per auth instance (so per app instance, never shared across tests). */
const caches = new WeakMap<WeftAuth, ApiKeyCache>();

function apiKeyCache(auth: WeftAuth): ApiKeyCache {
  let cache = caches.get(auth);
  if (!cache) {
    cache = createApiKeyCache();
    caches.set(auth, cache);
  }
  return cache;
}

function createApiKeyCache(): ApiKeyCache {
  const byHash = new Map<string, VerifiedKey & { until: number }>();
  const hashById = new Map<string, string>();
  /** Bumped by every revoke; a verification that saw it change must not fill the cache. */
  let revocations = 0;
  return {
    async resolve(key, verify) {
      const hash = createHash("sha256").update(key).digest("hex");
      const now = Date.now();
      const hit = byHash.get(hash);
      if (hit && hit.until > now && (hit.expiresAt === null || hit.expiresAt > now)) return hit;
      if (hit) {
        byHash.delete(hash);
        hashById.delete(hit.keyId);
      }
      const generation = revocations;
      let verified = await verify();
      if (verified && revocations !== generation) {
        // A key was revoked while this verification was in flight, and it may be this one: what
        // verify read can predate the revoke. Ask again (it now sees the revoke) and cache nothing.
        verified = await verify();
        return verified;
      }
      if (!verified) return null;
      if (byHash.size >= KEY_CACHE_MAX) {
        byHash.clear();
        hashById.clear();
      }
      byHash.set(hash, { ...verified, until: now + KEY_CACHE_TTL_MS });
      hashById.set(verified.keyId, hash);
      return verified;
    },
    forget(keyId) {
      revocations += 1;
      const hash = hashById.get(keyId);
      if (hash) byHash.delete(hash);
      hashById.delete(keyId);
    },
  };
}

/** Evicts a revoked key from this instance's verification cache (DELETE /api/keys/:id). */
export function forgetApiKey(auth: WeftAuth, keyId: string): void {
  apiKeyCache(auth).forget(keyId);
}
