/**
 * A fresh control plane per test file, on its own database, driven through HTTP requests to the
 * Hono app in process (`api.request`). Users sign up over HTTP like real ones. The app has a
 * runtime (dispatch, reads, events) but no worker: start one with tests/helpers/runtime.ts.
 */
import { randomBytes } from "node:crypto";
import pino from "pino";
import { createControlPlaneApi, type ControlPlaneApi } from "@/lib/api";
import { createAuth, type SignupMode, type WeftAuth } from "@/lib/auth";
import { connectorRegistry } from "@/lib/connectors";
import type { ConnectorRegistry } from "@/lib/engine/connector";
import type { RateLimiter, RateLimitStore } from "@/lib/api/rate-limit";
import type { Logger } from "@/lib/log";
import { createRuntime, type Runtime } from "@/lib/runtime";
import { createTestDatabase, openSchemaDatabase, type TestDatabase } from "./database";

export interface TestApp {
  api: ControlPlaneApi;
  database: TestDatabase;
  auth: WeftAuth;
  baseUrl: string;
  /** The app's runtime (no worker: see tests/helpers/runtime.ts). */
  runtime: Runtime;
  /** The key secrets are encrypted with; workers of this app need it. */
  secretsKey: Buffer;
  /** better-auth's signing secret. */
  authSecret: string;
  registry: ConnectorRegistry;
  logger: Logger;
  close(): Promise<void>;
}

export interface TestUser {
  userId: string;
  organizationId: string;
  email: string;
  /** Session bearer token (the `set-auth-token` header of sign-up). */
  token: string;
  /** `better-auth.session_token=…`, to send as the Cookie header. */
  cookie: string;
  /** `{ authorization: "Bearer <token>" }` */
  bearer: Record<string, string>;
}

const BASE_URL = "http://localhost:3000";

/**
 * Boots the control plane on a new, migrated database. better-auth's IP limiter is off unless
 * `authRateLimit`. With
 * `schema`, Weft's tables live in that Postgres schema; with `shareDatabaseOf` too, in that other
 * test app's database (two instances side by side; with the other app's schema, two
 * web instances of one deployment, sharing its secrets key and auth secret), which then drops the database on close.
 */
export async function createTestApp(
  options: {
    signup?: SignupMode;
    /** API keys' budget, and signed-in users' too unless `sessionRateLimitPerMinute` is given. */
    rateLimitPerMinute?: number;
    sessionRateLimitPerMinute?: number;
    /** WEFT_RATE_LIMIT_STORE (default memory). */
    rateLimitStore?: RateLimitStore;
    /** API keys' limiter on the app's database, instead of one built from the store and budget. */
    rateLimiter?: (database: TestDatabase) => RateLimiter;
    registry?: ConnectorRegistry;
    schema?: string;
    shareDatabaseOf?: TestApp;
    /** better-auth's per-IP limiter on /api/auth (default off). */
    authRateLimit?: boolean;
    /** WEFT_TRUSTED_PROXIES. */
    trustedProxies?: string[];
    /** WEFT_LAYOUT_FOLD_MS (default: the app's default, 5000). */
    layoutFoldMs?: number;
    /** better-auth's signing secret (default random), to accept this app's session tokens elsewhere. */
    authSecret?: string;
    /** WEFT_BASE_URL (default http://localhost:3000); an https one makes session cookies Secure. */
    baseUrl?: string;
    /** The logger of the app and its workers (default: pino at WEFT_TEST_LOG_LEVEL, else silent). */
    logger?: Logger;
    /** The runtime the API is given, built from the app's (`app.runtime` stays the real one): a test slows its reads. */
    apiRuntime?: (runtime: Runtime) => Runtime;
  } = {},
): Promise<TestApp> {
  const database = options.shareDatabaseOf
    ? await openSchemaDatabase(options.shareDatabaseOf.database.url, options.schema ?? "public")
    : await createTestDatabase({ schema: options.schema });
  const logger = options.logger ?? pino({ level: process.env.WEFT_TEST_LOG_LEVEL ?? "silent" });
  // Another web instance of the same deployment (same database and schema) shares its keys.
  const sameDeployment = options.shareDatabaseOf && options.shareDatabaseOf.database.schema === database.schema ? options.shareDatabaseOf : undefined;
  const secretsKey = sameDeployment?.secretsKey ?? randomBytes(32);
  const authSecret = options.authSecret ?? sameDeployment?.authSecret ?? randomBytes(32).toString("base64url");
  const registry = options.registry ?? connectorRegistry;
  const baseUrl = options.baseUrl ?? BASE_URL;
  const runtime = await createRuntime({ databaseUrl: database.url, schema: database.schema, logger });
  const auth = createAuth({
    db: database.db,
    baseUrl,
    secret: authSecret,
    signup: options.signup ?? "open",
    rateLimit: options.authRateLimit ?? false,
    logger,
  });
  const api = createControlPlaneApi({
    database,
    schema: database.schema,
    logger,
    auth,
    baseUrl,
    secretsKey,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 100_000,
    sessionRateLimitPerMinute: options.sessionRateLimitPerMinute ?? options.rateLimitPerMinute ?? 100_000,
    webhookRateLimitPerMinute: options.rateLimitPerMinute ?? 100_000,
    rateLimitStore: options.rateLimitStore,
    rateLimiter: options.rateLimiter?.(database),
    registry,
    runtime: options.apiRuntime?.(runtime) ?? runtime,
    trustedProxies: options.trustedProxies,
    layoutFoldMs: options.layoutFoldMs,
  });
  const close = async () => {
    await runtime.close();
    await database.drop();
  };
  return { api, database, auth, baseUrl, runtime, secretsKey, authSecret, registry, logger, close };
}

/** A JSON request: sets content-type when a body is given; `body` is the parsed JSON or null. */
export async function call(
  app: TestApp,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary response JSON
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  }
  const response = await app.api.request(path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

let counter = 0;

/** Signs a user up through `POST /api/auth/sign-up/email`; their personal organization is active. */
export async function signUp(app: TestApp, options: { email?: string; name?: string; password?: string } = {}): Promise<TestUser> {
  counter += 1;
  const email = options.email ?? `user${counter}-${randomBytes(4).toString("hex")}@example.com`;
  const response = await app.api.request("/api/auth/sign-up/email", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, name: options.name ?? `User ${counter}`, password: options.password ?? "correct horse battery staple" }),
  });
  if (response.status !== 200) throw new Error(`sign-up of ${email} failed: ${response.status} ${await response.text()}`);
  const json = (await response.json()) as { user: { id: string; email: string } };
  const token = response.headers.get("set-auth-token");
  if (!token) throw new Error("sign-up returned no set-auth-token header");
  const cookie = sessionCookie(response.headers);
  const bearer = { authorization: `Bearer ${token}` };
  const me = await call(app, "GET", "/api/me", { headers: bearer });
  if (me.status !== 200) throw new Error(`GET /api/me after sign-up failed: ${me.status} ${JSON.stringify(me.body)}`);
  return { userId: json.user.id, organizationId: me.body.organization.id, email: json.user.email, token, cookie, bearer };
}

/** The `name=value` of better-auth's session cookie from a response's Set-Cookie headers. */
export function sessionCookie(headers: Headers): string {
  const cookie = headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .find((pair) => /^(__Secure-)?better-auth\.session_token=/.test(pair));
  if (!cookie) throw new Error("no better-auth.session_token cookie was set");
  return cookie;
}

/** Creates an org API key as `user` (an owner or admin) through `POST /api/keys`. */
export async function createApiKey(
  app: TestApp,
  user: TestUser,
  name = "test key",
): Promise<{ id: string; key: string; headers: Record<string, string> }> {
  const created = await call(app, "POST", "/api/keys", { headers: user.bearer, body: { name } });
  if (created.status !== 201) throw new Error(`POST /api/keys failed: ${created.status} ${JSON.stringify(created.body)}`);
  return { id: created.body.id, key: created.body.key, headers: { "x-api-key": created.body.key } };
}

/**
 * Signs a new user up, has `owner` invite them into the owner's organization with `role`, accepts,
 * and makes it their active organization. Throws if a step fails or /api/me does not show the role.
 */
export async function joinOrganization(app: TestApp, owner: TestUser, role: "member" | "admin"): Promise<TestUser> {
  const user = await signUp(app);
  const invited = await call(app, "POST", "/api/auth/organization/invite-member", {
    headers: owner.bearer,
    body: { email: user.email, role, organizationId: owner.organizationId },
  });
  if (invited.status !== 200) throw new Error(`invite-member failed: ${invited.status} ${JSON.stringify(invited.body)}`);
  const accepted = await call(app, "POST", "/api/auth/organization/accept-invitation", { headers: user.bearer, body: { invitationId: invited.body.id } });
  if (accepted.status !== 200) throw new Error(`accept-invitation failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  const active = await call(app, "POST", "/api/auth/organization/set-active", { headers: user.bearer, body: { organizationId: owner.organizationId } });
  if (active.status !== 200) throw new Error(`set-active failed: ${active.status} ${JSON.stringify(active.body)}`);
  const me = await call(app, "GET", "/api/me", { headers: user.bearer });
  if (me.body?.organization?.id !== owner.organizationId || me.body?.role !== role) {
    throw new Error(`after joining, /api/me shows ${JSON.stringify(me.body)}`);
  }
  return { ...user, organizationId: owner.organizationId };
}

export interface AppWithAgent {
  app: TestApp;
  owner: TestUser;
  /** The headers of an org API key named "agent", created by `owner`. */
  agent: Record<string, string>;
  agentKeyId: string;
}

/** A test app with one signed-up owner and their org's "agent" API key; the app is closed if a step fails. */
export async function createAppWithAgent(options: Parameters<typeof createTestApp>[0] = {}): Promise<AppWithAgent> {
  const app = await createTestApp(options);
  try {
    const owner = await signUp(app);
    const key = await createApiKey(app, owner, "agent");
    return { app, owner, agent: key.headers, agentKeyId: key.id };
  } catch (error) {
    await app.close();
    throw error;
  }
}
