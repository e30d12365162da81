/**
 * `GET /api/me` (docs/architecture.md, "Tenancy and auth"): who the caller is — the user (null for
 * an API key), the organization the request acts in, the role and how it authenticated.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { organization, user } from "@/db/auth-schema";
import type { ApiDeps } from "../context";
import { ApiError } from "../errors";
import { errorResponses } from "../http";
import { createRouter } from "../router";

const MeSchema = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string() }).nullable().openapi({ description: "null for an API key" }),
    organization: z.object({ id: z.string(), name: z.string(), slug: z.string() }),
    role: z.enum(["owner", "admin", "member"]).openapi({ description: "An API key acts as a member" }),
    authMode: z.enum(["session", "api_key"]),
  })
  .openapi("Me");

const meRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["auth"],
  summary: "The caller: user, organization, role and auth mode",
  responses: {
    200: { description: "The caller", content: { "application/json": { schema: MeSchema } } },
    ...errorResponses(),
  },
});

/** The /me sub-app. */
export function meRoutes(deps: ApiDeps) {
  return createRouter().openapi(meRoute, async (c) => {
    const principal = c.get("principal");
    const [org] = await deps.db
      .select({ id: organization.id, name: organization.name, slug: organization.slug })
      .from(organization)
      .where(eq(organization.id, principal.organizationId))
      .limit(1);
    if (!org) throw new ApiError(401, "no_active_organization", "The organization no longer exists.");
    let caller: { id: string; email: string; name: string } | null = null;
    if (principal.userId) {
      const [row] = await deps.db
        .select({ id: user.id, email: user.email, name: user.name })
        .from(user)
        .where(eq(user.id, principal.userId))
        .limit(1);
      if (!row) throw new ApiError(401, "unauthorized", "The user no longer exists.");
      caller = row;
    }
    return c.json({ user: caller, organization: org, role: principal.role, authMode: principal.authMode }, 200);
  });
}
