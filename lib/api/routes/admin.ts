/**
 * `/api/admin` (docs/runs.md, "Schedules"): `POST /tick` runs one schedule-ticker pass over the caller's
 * organization only, the same pass the workers run every second, and answers with the runs it
 * started. Owner or admin sessions only (an API key acts as a member → 403 `forbidden`).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { errorResponses, ownerOrAdmin } from "../http";
import { createRouter } from "../router";
import { runTickerPass } from "@/lib/schedules/ticker";

const TickResultSchema = z
  .object({
    started: z.array(z.object({ scheduleId: z.string(), runId: z.string(), slot: z.string().openapi({ description: "The fired slot, ISO 8601 UTC" }) })),
    failed: z.array(z.string()).openapi({ description: "Schedules whose dispatch failed; they stay due and are retried" }),
    disabled: z.array(z.string()).openapi({ description: "Schedules turned off because their workflow is deleted" }),
  })
  .openapi("TickResult");

const tickRoute = createRoute({
  method: "post",
  path: "/tick",
  tags: ["admin"],
  summary: "Run one schedule-ticker pass over this organization",
  description: "Fires this organization's due schedules now (each slot at most once, as the workers do). Owner or admin session only.",
  middleware: [ownerOrAdmin("run the schedule ticker")] as const,
  responses: { 200: { description: "The runs this pass started", content: { "application/json": { schema: TickResultSchema } } }, ...errorResponses(403, 415) },
});

/** The admin sub-app. */
export function adminRoutes(deps: ApiDeps) {
  return createRouter().openapi(tickRoute, async (c) => {
    const organizationId = c.get("principal").organizationId;
    const result = await runTickerPass({ sql: deps.sql, db: deps.db, registry: deps.registry, runtime: deps.runtime, logger: c.get("log") }, { organizationId });
    c.get("log").info({ started: result.started.length, failed: result.failed.length, disabled: result.disabled.length }, "admin tick");
    return c.json(result, 200);
  });
}
