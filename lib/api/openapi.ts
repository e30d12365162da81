/**
 * `GET /api/openapi.json`: the OpenAPI 3.1 document, generated from the zod schemas every route
 * declares with `createRoute` (one source of truth). The document is built when asked for, so it
 * includes route groups mounted after `registerOpenApi` runs.
 *
 * better-auth's own routes (`/api/auth/*`) are described briefly: sign-up and sign-in by email,
 * which a new user needs to get a session token; the rest (sessions, organizations, members,
 * invitations) are better-auth's documented API and are listed only in the `auth` tag.
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { WEFT_VERSION } from "@/lib/version";
import type { AppEnv } from "./context";
import { ErrorSchema } from "./http";

const SESSION_COOKIE = "better-auth.session_token";

const UserSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string() })
  .passthrough()
  .openapi("AuthUser");

const SessionResponse = z
  .object({
    token: z.string().nullable().openapi({ description: "Session token: send it as `Authorization: Bearer <token>`" }),
    user: UserSchema,
  })
  .passthrough();

function registerAuthPaths(app: OpenAPIHono<AppEnv>): void {
  const error = { description: "better-auth error", content: { "application/json": { schema: ErrorSchema } } };
  const session = {
    description: "Signed in. The token is also in the `set-auth-token` header and the session cookie.",
    content: { "application/json": { schema: SessionResponse } },
  };
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/auth/sign-up/email",
    tags: ["auth"],
    summary: "Sign up with email and password",
    description: "Creates the user and a personal organization, made active. Allowed by WEFT_SIGNUP (open, closed, invite).",
    security: [],
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.object({ name: z.string(), email: z.string(), password: z.string().min(8) }).passthrough(),
          },
        },
      },
    },
    responses: { 200: session, 400: error, 403: error, 422: error, 429: error },
  });
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/auth/sign-in/email",
    tags: ["auth"],
    summary: "Sign in with email and password",
    security: [],
    request: {
      body: {
        required: true,
        content: { "application/json": { schema: z.object({ email: z.string(), password: z.string() }).passthrough() } },
      },
    },
    responses: { 200: session, 401: error, 429: error },
  });
}

/** Registers the security schemes, the better-auth summary, and `GET /openapi.json` on `app`. */
export function registerOpenApi(app: OpenAPIHono<AppEnv>): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An organization API key (`weft_…`) or a session token from sign-up/sign-in. The scheme word is case-insensitive.",
  });
  registry.registerComponent("securitySchemes", "apiKey", {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
    description: "An organization API key (`weft_…`).",
  });
  registry.registerComponent("securitySchemes", "cookie", {
    type: "apiKey",
    in: "cookie",
    name: SESSION_COOKIE,
    description: "Browser session. Mutations must send an Origin equal to the app's URL (else 403 csrf_rejected).",
  });
  registerAuthPaths(app);
  registry.registerPath({
    method: "get",
    path: "/openapi.json",
    tags: ["meta"],
    summary: "This OpenAPI 3.1 document",
    security: [],
    responses: { 200: { description: "The document", content: { "application/json": { schema: z.object({ openapi: z.string() }).passthrough() } } } },
  });

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Weft control plane",
      version: WEFT_VERSION,
      description:
        "Durable workflows that LLM agents and teams build together. Errors are `{ error, message?, … }` with a stable code; " +
        "lists take `?cursor=&limit=` and return `{ data, nextCursor }`; requests are rate-limited per (organization, principal).",
    },
    security: [{ bearer: [] }, { apiKey: [] }, { cookie: [] }],
    tags: [
      { name: "auth", description: "better-auth at /api/auth/* (sessions, organizations, members, invitations); only sign-up and sign-in are described here." },
      { name: "mcp", description: "The Model Context Protocol server at /api/mcp: the same operations as tools for an MCP client, with an organization API key." },
    ],
  });
}
