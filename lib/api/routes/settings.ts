/**
 * `/api/settings` (docs/runs.md, "Retention"): organization settings. `GET /retention` shows how
 * long finished runs are kept (any member or key); `PUT /retention { retentionDays }` sets it in
 * days, or back to the instance default with null (owner or admin sessions only: an API key is a
 * member → 403 `forbidden`). A value outside 1–3650 days is 400 `invalid_body`.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { RetentionSettingsSchema as RetentionResourceSchema, type RetentionSettings } from "@/lib/resources/settings";
import { getRetentionSetting, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, setRetentionDays, type RetentionSetting } from "@/lib/store/organization-settings";
import type { ApiDeps } from "../context";
import { errorResponses, json, ownerOrAdmin } from "../http";
import { createRouter } from "../router";

const TAGS = ["settings"];

// Declared once in lib/resources/settings.ts; rebuilt with the OpenAPI-extended `z` so the document names it.
const RetentionSettingsSchema = z.object(RetentionResourceSchema.shape).openapi("RetentionSettings", { description: RetentionResourceSchema.description });

const SetRetentionBody = z
  .object({
    retentionDays: z
      .number()
      .int(`retentionDays must be a whole number of days from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS}, or null`)
      .min(MIN_RETENTION_DAYS, `retentionDays must be at least ${MIN_RETENTION_DAYS} (run idempotency keys hold for 24 hours)`)
      .max(MAX_RETENTION_DAYS, `retentionDays must be at most ${MAX_RETENTION_DAYS}`)
      .nullable()
      .openapi({ description: `Days to keep finished runs (${MIN_RETENTION_DAYS}–${MAX_RETENTION_DAYS}), or null to follow the instance default`, example: 14 }),
  })
  .strict()
  .openapi("SetRetention");

const getRoute = createRoute({
  method: "get",
  path: "/retention",
  tags: TAGS,
  summary: "How long this organization's finished runs are kept",
  responses: { 200: { description: "The retention in force", content: json(RetentionSettingsSchema) }, ...errorResponses() },
});

const putRoute = createRoute({
  method: "put",
  path: "/retention",
  tags: TAGS,
  summary: "Set how long finished runs are kept",
  description:
    "Owner or admin session only. Workers delete finished runs (succeeded, failed, canceled) older than this, with their logs, events and " +
    "execution history, within a few minutes; runs still queued, running or waiting are never deleted. Org-wide events nothing consumed expire after the same time.",
  middleware: [ownerOrAdmin("change the retention")] as const,
  request: { body: { required: true, content: json(SetRetentionBody) } },
  responses: { 200: { description: "The retention now in force", content: json(RetentionSettingsSchema) }, ...errorResponses(400, 403, 413, 415) },
});

function resourceOf(setting: RetentionSetting, defaultDays: number): RetentionSettings {
  return {
    retentionDays: setting.days ?? defaultDays,
    defaultRetentionDays: defaultDays,
    inherited: setting.days === null,
    updatedAt: setting.updatedAt?.toISOString() ?? null,
    updatedBy: setting.updatedBy,
  };
}

/** The settings sub-app. */
export function settingsRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(getRoute, async (c) => {
      const setting = await getRetentionSetting(deps.db, c.get("principal").organizationId);
      return c.json(resourceOf(setting, deps.retentionDays), 200);
    })
    .openapi(putRoute, async (c) => {
      const principal = c.get("principal");
      const { retentionDays } = c.req.valid("json");
      const setting = await setRetentionDays(deps.db, principal.organizationId, retentionDays, principal.id);
      c.get("log").info({ retentionDays }, "retention set");
      return c.json(resourceOf(setting, deps.retentionDays), 200);
    });
}
