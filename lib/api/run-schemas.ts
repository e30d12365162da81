/**
 * Request and response shapes of the run routes (docs/runs.md): dispatch, the run resource, its log
 * entries, cancel and events. They validate requests and generate the OpenAPI document.
 */
import { z } from "@hono/zod-openapi";
import { listSchema, PageQuerySchema } from "./http";
import { DefinitionSchema } from "./schemas";
import { RunLogEntrySchema as RunLogEntryResourceSchema, RunSchema as RunResourceSchema, RUN_STATUSES, RUN_TRIGGERS } from "@/lib/resources/run";

const RunStatusSchema = z.enum(RUN_STATUSES).openapi({ description: "waiting: stopped in wait_for_event, wait_duration or call_workflow" });

export const RunIdParamsSchema = z.object({
  runId: z.string().min(1).max(200).openapi({ param: { name: "runId", in: "path" }, example: "run_3kq9v0x2m5h7c1b8n4z6" }),
});

// The resources are declared once, in lib/resources/run.ts; rebuilt here with the OpenAPI-extended
// `z` so the document names them.
export const RunSchema = z.object(RunResourceSchema.shape).openapi("Run");
export const RunLogEntrySchema = z.object(RunLogEntryResourceSchema.shape).openapi("RunLogEntry");

export const RunListSchema = listSchema(RunSchema, "RunList");

export const RunDefinitionSchema = z
  .object({ workflowId: z.string(), workflowVersion: z.number().int(), definition: DefinitionSchema })
  .openapi("RunDefinition");
export const RunLogListSchema = listSchema(RunLogEntrySchema, "RunLogList");

export const DispatchRunBodySchema = z
  .object({
    input: z.unknown().optional().openapi({ description: "The run input: what the trigger block outputs ({{trg.…}}); null or absent is {}" }),
    idempotencyKey: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "The same key for the same workflow within 24 h returns the same run" }),
  })
  .strict()
  .openapi("DispatchRunBody");

export const DispatchedRunSchema = z
  .object({ runId: z.string(), status: RunStatusSchema })
  .openapi("DispatchedRun");

export const ListRunsQuerySchema = PageQuerySchema.extend({
  workflowId: z.string().min(1).max(200).optional(),
  status: RunStatusSchema.optional(),
  trigger: z.enum(RUN_TRIGGERS).optional(),
  triggeredBy: z
    .string()
    .min(1)
    .max(300)
    .optional()
    .openapi({ description: "Only runs started by this actor: user:<id>, api_key:<id>, webhook:<endpoint id>, schedule:<id>, run:<run id>" }),
  parentRunId: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: "Only the runs this run started with its call_workflow blocks (its children)" }),
}).strict();

const MAX_LOG_PAGE = 500;

export const LogsQuerySchema = z
  .object({
    after: z.string().max(512).optional().openapi({ description: "Entries after this cursor (an entry's id or a nextCursor)" }),
    limit: z
      .string()
      .regex(/^[0-9]{1,3}$/, `limit is a whole number from 1 to ${MAX_LOG_PAGE}`)
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_LOG_PAGE))
      .optional()
      .transform((v) => v ?? 100)
      .openapi({ type: "integer", minimum: 1, maximum: MAX_LOG_PAGE, default: 100, description: `Page size, 1–${MAX_LOG_PAGE} (default 100)` }),
  })
  .strict();

const EventName = z.string().min(1).max(200).openapi({ example: "approved" });
const EventData = z.unknown().optional().openapi({ description: "Becomes the wait block's output `data`" });

export const RunEventBodySchema = z.object({ event: EventName, data: EventData }).strict().openapi("RunEventBody");

export const OrgEventBodySchema = z
  .object({
    event: EventName,
    key: z.string().min(1).max(500).openapi({ example: "order-123", description: "Matches wait_for_event blocks waiting with this key" }),
    data: EventData,
  })
  .strict()
  .openapi("OrgEventBody");

export const RunEventResultSchema = z
  .object({
    eventId: z.string(),
    delivered: z.boolean().openapi({ description: "A wait consumed it now; otherwise it is stored until the run reaches a matching wait" }),
  })
  .openapi("RunEventResult");

export const OrgEventResultSchema = z
  .object({
    eventId: z.string(),
    deliveredTo: z.array(z.string()).openapi({ description: "Ids of the runs whose waits it woke" }),
  })
  .openapi("OrgEventResult");
