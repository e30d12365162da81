/**
 * `POST /api/events` (DESIGN §4): an organization event, delivered to every run of the caller's
 * organization waiting on `event` with this `key` (e.g. a payment webhook waking "the run for
 * order 123"), and stored until a matching wait consumes it.
 */
import { createRoute } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { errorResponses, json } from "../http";
import { createRouter } from "../router";
import { OrgEventBodySchema, OrgEventResultSchema } from "../run-schemas";

const orgEventRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["runs"],
  summary: "Send an event to the organization's runs waiting with a key",
  request: { body: { content: json(OrgEventBodySchema), required: true } },
  responses: { 202: { description: "Accepted", content: json(OrgEventResultSchema) }, ...errorResponses(400, 413, 415) },
});

/** The organization-events sub-app. */
export function eventRoutes(deps: ApiDeps) {
  const app = createRouter();

  app.openapi(orgEventRoute, async (c) => {
    const { event, key, data } = c.req.valid("json");
    const result = await deps.runtime.sendOrgEvent(c.get("principal").organizationId, { event, key, data });
    return c.json(result, 202);
  });

  return app;
}
