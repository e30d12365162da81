/**
 * The run resource and its log entries (docs/runs.md), as zod schemas: the one declaration the
 * store, the runtime, the use-cases and the API's OpenAPI document all derive from.
 */
import { z } from "zod";

export const RUN_STATUSES = ["queued", "running", "waiting", "succeeded", "failed", "canceled"] as const;
export const RUN_TRIGGERS = ["manual", "api", "schedule", "webhook", "mcp", "workflow"] as const;
export const RUN_LOG_STATUSES = ["succeeded", "failed", "skipped", "waiting", "timed_out", "canceled"] as const;

export const RunStatusSchema = z.enum(RUN_STATUSES).describe("waiting: stopped in wait_for_event, wait_duration or call_workflow");
export const RunTriggerSchema = z.enum(RUN_TRIGGERS).describe("workflow: started by another run's call_workflow block (see parentRunId)");

export type RunStatus = z.infer<typeof RunStatusSchema>;
export type RunTrigger = z.infer<typeof RunTriggerSchema>;
export type RunLogStatus = (typeof RUN_LOG_STATUSES)[number];

/** Statuses a run never leaves. */
export const FINAL_STATUSES: ReadonlySet<RunStatus> = new Set(["succeeded", "failed", "canceled"]);

const timestamp = () => z.string().meta({ format: "date-time" });

export const RunErrorSchema = z.object({ message: z.string(), blockId: z.string().optional(), code: z.string().optional() });
export type RunError = z.infer<typeof RunErrorSchema>;

export const WaitingOnSchema = z
  .object({
    blockId: z.string(),
    kind: z.enum(["event", "duration", "children"]).describe("children: a call_workflow block waiting for the runs it started (listed in `children`)"),
    event: z.string().optional().describe("kind event: the event name it waits for"),
    key: z.string().optional().describe("kind event: the key an organization-wide event must carry"),
    until: timestamp().optional().describe("kind duration: when it resumes; kind event: when it times out"),
  })
  .describe("Where a waiting run is parked: the wait block opened first, if several branches wait");
export type WaitingOn = z.infer<typeof WaitingOnSchema>;

/** A run another run started with a call_workflow block, as its parent lists it. */
export const ChildRunSchema = z.object({
  runId: z.string(),
  workflowId: z.string(),
  status: RunStatusSchema,
  blockId: z.string().describe("The parent's call_workflow block that started it"),
  itemIndex: z.number().int().describe("Its item's position in the block's `items` (0 without items)"),
});
export type ChildRun = z.infer<typeof ChildRunSchema>;

export const RunSchema = z.object({
  id: z.string().meta({ example: "run_3kq9v0x2m5h7c1b8n4z6" }),
  workflowId: z.string(),
  workflowVersion: z.number().int().describe("The version pinned when the run was dispatched"),
  trigger: RunTriggerSchema,
  triggeredBy: z
    .string()
    .nullable()
    .describe("Who started it: user:<id>, api_key:<id>, webhook:<endpoint id>, schedule:<id> or run:<parent run id> (null for runs from before this was recorded)"),
  parentRunId: z.string().nullable().describe("The run whose call_workflow block started this one; null for a run nothing called"),
  status: RunStatusSchema,
  input: z.unknown(),
  output: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe("Each block id that ran, mapped to its output; filled in as blocks complete (null until the first does)"),
  error: RunErrorSchema.nullable(),
  waitingOn: WaitingOnSchema.nullable().describe("Set while the run is waiting, else null"),
  createdAt: timestamp(),
  startedAt: timestamp().nullable(),
  finishedAt: timestamp().nullable(),
  children: z
    .array(ChildRunSchema)
    .optional()
    .describe("Only when reading one run: the runs its call_workflow blocks started, by block and item order (empty when none)"),
  queuePosition: z.number().int().optional().describe("Only while queued: how many of the organization's queued runs will start before it (0 = next); see docs/runs.md, Admission"),
});
export type RunResource = z.infer<typeof RunSchema>;

export const RunLogMessageSchema = z.object({ level: z.string(), message: z.string(), at: z.string() });
export type RunLogMessage = z.infer<typeof RunLogMessageSchema>;

/**
 * One block attempt (or one skipped block, attempt 0). An entry that changes later (a wait that
 * ends, an attempt re-executed after a crash) is written again under a new, larger `id`, so a
 * reader following `after` cursors sees its latest state.
 */
export const RunLogEntrySchema = z.object({
  id: z.string().describe("The entry's cursor: pass it as `after` (or Last-Event-ID on the stream)"),
  blockId: z.string(),
  blockType: z.string(),
  attempt: z.number().int(),
  status: z.enum(RUN_LOG_STATUSES),
  input: z.unknown().describe("Params after template resolution, secrets redacted"),
  output: z.unknown(),
  error: z.unknown(),
  messages: z.array(RunLogMessageSchema),
  startedAt: timestamp().nullable(),
  finishedAt: timestamp().nullable(),
  durationMs: z.number().nullable(),
});
export type RunLogEntry = z.infer<typeof RunLogEntrySchema>;
