/**
 * The retention setting as the API shows it (docs/runs.md, "Retention"): how many days this
 * organization's finished runs, their logs and events are kept, and whether that is its own
 * choice or the instance default (WEFT_RETENTION_DAYS).
 */
import { z } from "zod";

export const RetentionSettingsSchema = z
  .object({
    retentionDays: z.number().int().describe("Days finished runs are kept here: the organization's choice, else the default"),
    defaultRetentionDays: z.number().int().describe("The instance default (WEFT_RETENTION_DAYS)"),
    inherited: z.boolean().describe("true when the organization follows the default"),
    updatedAt: z.string().meta({ format: "date-time" }).nullable().describe("When an owner or admin last set it; null if never"),
    updatedBy: z.string().nullable().describe("Who last set it (`user:<id>`); null if never"),
  })
  .describe("How long finished runs, their logs and events are kept before workers delete them.");
export type RetentionSettings = z.infer<typeof RetentionSettingsSchema>;
