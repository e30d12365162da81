/**
 * `/api/schedules` (docs/runs.md, "Schedules"): create, list, read, change and delete cron
 * schedules. Members and API keys may manage them. A bad cron → 400 `invalid_cron`, a bad zone →
 * 400 `invalid_timezone`, a workflow that is deleted or of another organization → 404
 * `workflow_not_found`; another organization's schedule → 404 `not_found`. The worker's ticker
 * fires them (lib/schedules).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { ApiError } from "../errors";
import { errorResponses, listSchema, PageQuerySchema, pageCursor, json } from "../http";
import { createRouter } from "../router";
import { ValidationErrorSchema } from "../schemas";
import { ScheduleLastErrorSchema, ScheduleSchema as ScheduleResourceSchema } from "@/lib/resources/schedule";
import { checkCron, nextFireTime, type CronCheck, type CronSpec } from "@/lib/schedules/cron";
import { toScheduleResource } from "@/lib/schedules/resource";
import { CreatedAtCursorSchema } from "@/lib/store/cursor";
import { createSchedule, deleteSchedule, getSchedule, listSchedules, updateSchedule, type ScheduleChanges } from "@/lib/store/schedules";
import { getWorkflow } from "@/lib/store/workflows";

const TAGS = ["schedules"];

const CRON_HELP =
  "Five-field cron (minute hour day-of-month month day-of-week) with *, lists, ranges, steps and names (MON, JAN); when both day fields are restricted either matches. Also @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly.";

// The resource is declared once, in lib/resources/schedule.ts; rebuilt here with the
// OpenAPI-extended `z` so the document names it and refers to ValidationError.
const ScheduleSchema = z
  .object({
    ...ScheduleResourceSchema.shape,
    lastError: z
      .object({ ...ScheduleLastErrorSchema.shape, validation_errors: z.array(ValidationErrorSchema).optional() })
      .nullable()
      .openapi({ description: ScheduleResourceSchema.shape.lastError.description }),
  })
  .openapi("Schedule");

const CronField = z.string().max(200).openapi({ description: CRON_HELP, example: "*/15 * * * *" });
const TimezoneField = z.string().max(100).openapi({ description: "IANA time zone (default UTC)", example: "America/New_York" });
const InputField = z.unknown().openapi({ description: "Any JSON value: the input of every run it starts" });

const CreateScheduleBody = z
  .object({
    workflowId: z.string().min(1).max(200),
    cron: CronField,
    timezone: TimezoneField.optional(),
    input: InputField.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi("CreateSchedule");

const UpdateScheduleBody = z
  .object({
    cron: CronField.optional(),
    timezone: TimezoneField.optional(),
    input: InputField.optional(),
    enabled: z.boolean().optional().openapi({ description: "Re-enabling clears disabledReason and fires from the next slot after now" }),
  })
  .strict()
  .openapi("UpdateSchedule");

const ListSchedulesQuery = PageQuerySchema.extend({ workflowId: z.string().min(1).max(200).optional() }).strict();

const IdParams = z.object({
  id: z.string().min(1).max(200).openapi({ param: { name: "id", in: "path" }, example: "sch_k3v9x0q2m5h7c1b8n4z6" }),
});

const createScheduleRoute = createRoute({
  method: "post",
  path: "/",
  tags: TAGS,
  summary: "Create a schedule",
  description: "400 invalid_cron or invalid_timezone; 404 workflow_not_found when the workflow is deleted or not in this organization.",
  request: { body: { content: json(CreateScheduleBody), required: true } },
  responses: { 201: { description: "The schedule", content: json(ScheduleSchema) }, ...errorResponses(400, 404, 413, 415) },
});

const listSchedulesRoute = createRoute({
  method: "get",
  path: "/",
  tags: TAGS,
  summary: "List schedules, newest first",
  request: { query: ListSchedulesQuery },
  responses: { 200: { description: "A page of schedules", content: json(listSchema(ScheduleSchema, "ScheduleList")) }, ...errorResponses(400) },
});

const getScheduleRoute = createRoute({
  method: "get",
  path: "/{id}",
  tags: TAGS,
  summary: "Read a schedule",
  request: { params: IdParams },
  responses: { 200: { description: "The schedule", content: json(ScheduleSchema) }, ...errorResponses(400, 404) },
});

const updateScheduleRoute = createRoute({
  method: "patch",
  path: "/{id}",
  tags: TAGS,
  summary: "Change a schedule's cron, zone, input or enabled flag",
  description: "A new cron or zone, or re-enabling, fires from the next slot after now. Enabling a schedule whose workflow is deleted → 404 workflow_not_found.",
  request: { params: IdParams, body: { content: json(UpdateScheduleBody), required: true } },
  responses: { 200: { description: "The schedule", content: json(ScheduleSchema) }, ...errorResponses(400, 404, 413, 415) },
});

const deleteScheduleRoute = createRoute({
  method: "delete",
  path: "/{id}",
  tags: TAGS,
  summary: "Delete a schedule (runs it started are kept)",
  request: { params: IdParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 404) },
});

/** The checked spec, or the 400 that names what is wrong. */
function requireSpec(check: CronCheck): CronSpec {
  if (!check.ok) throw new ApiError(400, check.code, check.message);
  return check.spec;
}

function notFound(): ApiError {
  return new ApiError(404, "not_found", "No such schedule.");
}

function workflowNotFound(workflowId: string): ApiError {
  return new ApiError(404, "workflow_not_found", `No workflow ${workflowId} in this organization.`);
}

/** The schedules sub-app. */
export function scheduleRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(createScheduleRoute, async (c) => {
      const body = c.req.valid("json");
      const principal = c.get("principal");
      const spec = requireSpec(checkCron(body.cron, body.timezone ?? "UTC"));
      if (!(await getWorkflow(deps.db, principal.organizationId, body.workflowId))) throw workflowNotFound(body.workflowId);
      const enabled = body.enabled ?? true;
      const now = new Date();
      const row = await createSchedule(deps.db, principal.organizationId, {
        workflowId: body.workflowId,
        ...spec,
        input: body.input ?? null,
        enabled,
        nextFireAt: enabled ? nextFireTime(spec, now) : null,
        createdBy: principal.id,
      });
      c.get("log").info({ scheduleId: row.id, workflowId: row.workflowId, cron: row.cron, timezone: row.timezone }, "schedule created");
      return c.json(toScheduleResource(row, now), 201);
    })
    .openapi(listSchedulesRoute, async (c) => {
      const query = c.req.valid("query");
      const after = pageCursor(query.cursor, CreatedAtCursorSchema);
      const page = await listSchedules(deps.db, c.get("principal").organizationId, { workflowId: query.workflowId, limit: query.limit, after });
      const now = new Date();
      return c.json({ data: page.data.map((row) => toScheduleResource(row, now)), nextCursor: page.nextCursor }, 200);
    })
    .openapi(getScheduleRoute, async (c) => {
      const row = await getSchedule(deps.db, c.get("principal").organizationId, c.req.valid("param").id);
      if (!row) throw notFound();
      return c.json(toScheduleResource(row), 200);
    })
    .openapi(updateScheduleRoute, async (c) => {
      const body = c.req.valid("json");
      const organizationId = c.get("principal").organizationId;
      const id = c.req.valid("param").id;
      if (body.enabled === true) {
        // Checked before the row lock (a schedule's workflow never changes), so the transaction needs no second connection.
        const existing = await getSchedule(deps.db, organizationId, id);
        if (!existing) throw notFound();
        if (!(await getWorkflow(deps.db, organizationId, existing.workflowId))) throw workflowNotFound(existing.workflowId);
      }
      const now = new Date();
      const row = await updateSchedule(deps.db, organizationId, id, async (current) => {
        const spec = requireSpec(checkCron(body.cron ?? current.cron, body.timezone ?? current.timezone));
        const enabled = body.enabled ?? current.enabled;
        const retimed = !current.enabled || spec.cron !== current.cron || spec.timezone !== current.timezone;
        const changes: ScheduleChanges = { ...spec, enabled };
        if (body.input !== undefined) changes.input = body.input;
        // A person's choice (either way) replaces the system's reason; a system-disabled schedule stays explained.
        if (body.enabled !== undefined) changes.disabledReason = null;
        if (!enabled) changes.nextFireAt = null;
        else if (retimed) changes.nextFireAt = nextFireTime(spec, now);
        // Re-armed by a person (new cron or zone, or enabled again): failures of the old timing no longer set the backoff.
        if (retimed && enabled) Object.assign(changes, { dispatchFailures: 0, lastError: null, lastErrorDetails: null, lastErrorAt: null });
        return changes;
      });
      if (!row) throw notFound();
      c.get("log").info({ scheduleId: row.id, changed: Object.keys(body) }, "schedule updated");
      return c.json(toScheduleResource(row, now), 200);
    })
    .openapi(deleteScheduleRoute, async (c) => {
      const id = c.req.valid("param").id;
      if (!(await deleteSchedule(deps.db, c.get("principal").organizationId, id))) throw notFound();
      c.get("log").info({ scheduleId: id }, "schedule deleted");
      return c.body(null, 204);
    });
}
