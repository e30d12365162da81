/**
 * `createAuth(options)`: better-auth for Weft (docs/architecture.md, "Tenancy and auth") — email + password, organizations
 * (owner/admin/member), session bearer tokens, and organization-owned API keys (`weft_…`).
 * Built from what it is given; the only module-level instance is `auth`, for the better-auth CLI.
 *
 * Tenancy at sign-up: every new user gets a personal organization (as its owner) and it becomes
 * their session's active organization, so a new user can call every route at once.
 */
import { randomBytes } from "node:crypto";
import { apiKey } from "@better-auth/api-key";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { nextCookies } from "better-auth/next-js";
import { bearer, organization } from "better-auth/plugins";
import { createAccessControl } from "better-auth/plugins/access";
import { adminAc, defaultStatements, memberAc, ownerAc } from "better-auth/plugins/organization/access";
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import type { Database } from "@/db/client";
import * as authSchema from "@/db/auth-schema";
import type { Logger } from "@/lib/log";

export type SignupMode = "open" | "closed" | "invite";

/** The API-key configuration whose keys belong to an organization (not a person). */
export const ORG_KEY_CONFIG_ID = "org-keys";
export const API_KEY_PREFIX = "weft_";
/** The only header better-auth takes a client IP from; written by the API door, never by clients. */
export const CLIENT_ADDRESS_HEADER = "x-weft-client-address";

export interface AuthOptions {
  db: Database;
  /** The app's public URL (better-auth's baseURL and trusted origin). */
  baseUrl: string;
  /** At least 32 characters; signs session cookies and bearer tokens. */
  secret: string;
  /** open (default): anyone; closed: only the first user; invite: the first user, then only with a pending invitation. */
  signup?: SignupMode;
  /** better-auth's own per-IP limiter on sign-in/sign-up (default on; tests and e2e turn it off). */
  rateLimit?: boolean;
  logger?: Logger;
}

/**
 * Who can do what inside an organization. better-auth's default roles, plus `apiKey` (org-owned
 * keys): owners and admins manage them, members do not. Weft's own routes check the same rule
 * (`requireRole`), so both paths agree.
 */
const ac = createAccessControl({ ...defaultStatements, apiKey: ["create", "read", "update", "delete"] });
const roles = {
  owner: ac.newRole({ ...ownerAc.statements, apiKey: ["create", "read", "update", "delete"] }),
  admin: ac.newRole({ ...adminAc.statements, apiKey: ["create", "read", "update", "delete"] }),
  member: ac.newRole({ ...memberAc.statements }),
};

/**
 * better-auth's own limiter (per client IP, in memory, so per web instance), set deliberately
 * rather than left at its defaults: credential guessing and sign-up spam are throttled hard,
 * everything else under /api/auth gets a generous budget. Windows are seconds.
 * The client IP is read only from CLIENT_ADDRESS_HEADER, which the API door (lib/api/index.ts)
 * sets on every /api/auth request from the socket address, or from `X-Forwarded-For` only when
 * the socket is a configured trusted proxy (lib/api/client-address.ts), and removes otherwise: a
 * client-chosen `X-Forwarded-For` must not pick its own bucket. With no trustworthy address, all
 * clients share one bucket per route.
 */
const AUTH_RATE_LIMIT = {
  window: 60,
  max: 100,
  customRules: {
    "/sign-in/email": { window: 60, max: 10 },
    "/sign-up/email": { window: 60, max: 5 },
    "/request-password-reset": { window: 300, max: 3 },
    "/reset-password": { window: 300, max: 5 },
    "/change-password": { window: 60, max: 5 },
    "/organization/invite-member": { window: 60, max: 20 },
  },
} as const;

/** better-auth for one database. */
export function createAuth(options: AuthOptions) {
  const db = options.db;
  const signup = options.signup ?? "open";
  const log = options.logger;

  return betterAuth({
    appName: "Weft",
    baseURL: options.baseUrl,
    basePath: "/api/auth",
    secret: options.secret,
    trustedOrigins: [options.baseUrl],
    logger: log ? betterAuthLogger(log) : undefined,
    database: drizzleAdapter(db, { provider: "pg", schema: authSchema, transaction: true }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 128 },
    rateLimit: { enabled: options.rateLimit ?? true, storage: "memory", ...AUTH_RATE_LIMIT },
    advanced: { ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] } },
    // Org keys are managed only through Weft's /api/keys routes (owner/admin sessions, `weft_`
    // prefix, cache eviction on revoke); better-auth's raw key routes are not exposed over HTTP.
    disabledPaths: ["/api-key/create", "/api-key/update", "/api-key/delete", "/api-key/list", "/api-key/get", "/api-key/verify", "/api-key/delete-all-expired-api-keys"],
    user: {
      /** WEFT_SIGNUP: refused sign-ups answer 403 with `code` signup_closed / invitation_required. */
      validateUserInfo: async ({ user, source }) => {
        if (source.action !== "create-user" || signup === "open") return;
        // The first user can always sign up (closed or invite), so a fresh instance can be claimed.
        const [existing] = await db.select({ id: authSchema.user.id }).from(authSchema.user).limit(1);
        if (!existing) return;
        if (signup === "closed") return { error: "signup_closed", errorDescription: "Sign-up is closed on this instance." };
        const email = String(user.email ?? "").toLowerCase();
        const [invitation] = await db
          .select({ id: authSchema.invitation.id })
          .from(authSchema.invitation)
          .where(
            and(
              sql`lower(${authSchema.invitation.email}) = ${email}`,
              eq(authSchema.invitation.status, "pending"),
              gt(authSchema.invitation.expiresAt, new Date()),
            ),
          )
          .limit(1);
        if (!invitation) {
          return { error: "invitation_required", errorDescription: "Sign-up needs a pending invitation for this email." };
        }
      },
    },
    databaseHooks: {
      user: {
        create: {
          // Runs after the sign-up transaction commits, i.e. after the first session was created,
          // so it also makes the new organization active on that session.
          after: async (user) => {
            await createPersonalOrganization(db, { id: user.id, name: user.name, email: user.email });
          },
        },
      },
      session: {
        create: {
          // Later sign-ins: start in an organization the user belongs to (their oldest membership).
          before: async (session) => {
            if (session.activeOrganizationId) return;
            const [membership] = await db
              .select({ organizationId: authSchema.member.organizationId })
              .from(authSchema.member)
              .where(eq(authSchema.member.userId, session.userId))
              .orderBy(asc(authSchema.member.createdAt))
              .limit(1);
            if (membership) return { data: { ...session, activeOrganizationId: membership.organizationId } };
          },
        },
      },
    },
    plugins: [
      organization({
        ac,
        roles,
        creatorRole: "owner",
        invitationExpiresIn: 7 * 24 * 60 * 60,
        cancelPendingInvitationsOnReInvite: true,
        /**
         * No mail is sent. The inviter shares a link built from the invitation id returned by
         * `POST /api/auth/organization/invite-member` (`{ id, … }`):
         *   `<baseUrl>/invite/<id>` (app/invite/[id]: public, so a signed-out invitee can open it)
         * The invitee signs in (or signs up with the invited email) and the page calls
         * `POST /api/auth/organization/accept-invitation { invitationId: <id> }`.
         */
        sendInvitationEmail: async (data) => {
          log?.info(
            { invitationId: data.id, organizationId: data.organization.id, role: data.role, link: `${options.baseUrl}/invite/${data.id}` },
            "invitation created (no mail is sent; share the link)",
          );
        },
      }),
      // Only the signed token (what sign-in returns in `set-auth-token`) is accepted: the raw
      // session id stored in the database is not enough to act as the user.
      bearer({ requireSignature: true }),
      apiKey([
        {
          configId: ORG_KEY_CONFIG_ID,
          references: "organization",
          defaultPrefix: API_KEY_PREFIX,
          // The plugin's per-key limiter defaults to 10 verifications per day; Weft limits per
          // (organization, principal) in its own middleware instead.
          rateLimit: { enabled: false },
          enableMetadata: true,
          keyExpiration: { defaultExpiresIn: null, minExpiresIn: 1, maxExpiresIn: 365 },
        },
      ]),
      nextCookies(), // keep last: lets server actions set better-auth cookies
    ],
  });
}

export type WeftAuth = ReturnType<typeof createAuth>;

/**
 * Routes better-auth's own log lines into pino. A rejected API key is a client mistake, not a
 * server error, so the plugin's "Failed to validate API key" error line is logged at debug.
 */
function betterAuthLogger(log: Logger) {
  return {
    level: "info" as const,
    log: (level: "debug" | "info" | "warn" | "error", message: string, ...args: unknown[]) => {
      const err = args.find((arg) => arg instanceof Error);
      const quiet = message.startsWith("Failed to validate API key");
      log[quiet ? "debug" : level]({ source: "better-auth", ...(err ? { err } : {}) }, message);
    },
  };
}

/** Lowercase slug from a name, with a random suffix so personal organizations never collide. */
function personalSlug(name: string): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "org";
  return `${base}-${randomBytes(4).toString("hex")}`;
}

/**
 * Creates the user's personal organization with them as owner, and makes it the active
 * organization of their sessions that have none (the sign-up session). One transaction.
 */
export async function createPersonalOrganization(db: Database, user: { id: string; name: string; email: string }): Promise<string> {
  const display = user.name.trim() || user.email.split("@")[0] || "My";
  const organizationId = randomBytes(16).toString("hex");
  const now = new Date();
  await db.transaction(async (tx) => {
    await tx.insert(authSchema.organization).values({
      id: organizationId,
      name: `${display}'s organization`.slice(0, 100),
      slug: personalSlug(display),
      createdAt: now,
    });
    await tx.insert(authSchema.member).values({
      id: randomBytes(16).toString("hex"),
      organizationId,
      userId: user.id,
      role: "owner",
      createdAt: now,
    });
    await tx
      .update(authSchema.session)
      .set({ activeOrganizationId: organizationId })
      .where(and(eq(authSchema.session.userId, user.id), isNull(authSchema.session.activeOrganizationId)));
  });
  return organizationId;
}

/**
 * For the better-auth CLI only (`auth generate` reads an export named `auth`): built on a mock
 * database, and only when WEFT_AUTH_CLI=1, so importing this module needs no environment.
 */
export const auth =
  process.env.WEFT_AUTH_CLI === "1"
    ? createAuth({
        db: drizzle.mock({ schema: authSchema }) as unknown as Database, // the CLI only reads the options
        baseUrl: "http://localhost:3000",
        secret: "weft-better-auth-cli-placeholder-secret-0000",
      })
    : undefined;
