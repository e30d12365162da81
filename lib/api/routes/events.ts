/**
 * `POST /api/events` (docs/runs.md): an organization event, delivered to every run of the caller's
 * organization waiting on `event` with this `key` (e.g. a payment webhook waking "the run for
 * order 123"), and stored until a matching wait consumes it.
 */
import { createRoute } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { unwrap } from "../errors";
import { actorOf, errorResponses, json } from "../http";
import { sendOrgEvent } from "@/lib/runs/runs";
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
  return createRouter().openapi(orgEventRoute, async (c) => {
    const { event, key, data } = c.req.valid("json");
    return c.json(unwrap(await sendOrgEvent(deps, actorOf(c), { event, key, data })), 202);
  });
}
