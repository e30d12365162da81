/**
 * The schedule resource (docs/runs.md, "Schedules"), as zod schemas: the one declaration
 * lib/schedules/resource.ts builds from a stored row and the API's OpenAPI document derives from.
 */
import { z } from "zod";
import { ValidationErrorSchema } from "./workflow";

/** The latest failed dispatch of the current slot. */
export const ScheduleLastErrorSchema = z.object({
  message: z.string().describe("Why the latest dispatch failed"),
  at: z.string().meta({ format: "date-time" }),
  attempts: z.number().int().describe("Failed dispatches in a row of the current slot"),
  code: z.string().optional(),
  validation_errors: z.array(ValidationErrorSchema).optional(),
});
export type ScheduleLastError = z.infer<typeof ScheduleLastErrorSchema>;

export const ScheduleSchema = z.object({
  id: z.string().meta({ example: "sch_k3v9x0q2m5h7c1b8n4z6" }),
  workflowId: z.string(),
  cron: z.string().meta({ example: "0 9 * * MON-FRI" }),
  timezone: z.string().meta({ example: "Europe/Berlin" }),
  input: z.unknown().describe("The input of every run it starts (null: none)"),
  enabled: z.boolean(),
  disabledReason: z.string().nullable().describe("Why the system turned it off (workflow_deleted); null otherwise"),
  nextRuns: z.array(z.string()).describe("The next five fire times, ISO 8601 UTC; empty while disabled"),
  lastFiredAt: z.string().nullable(),
  lastRunId: z.string().nullable(),
  lastError: ScheduleLastErrorSchema.nullable().describe(
    "Set while the ticker cannot start the current slot's run: the slot is retried on the next pass, then after 2 s, 4 s, 8 s … (at most 5 minutes apart). Null once a dispatch succeeds.",
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ScheduleResource = z.infer<typeof ScheduleSchema>;
