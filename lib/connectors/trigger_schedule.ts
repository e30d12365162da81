import { z } from "zod";
import { defineConnector } from "@/lib/engine/connector";

/** Starts a workflow from a cron schedule (docs/connectors.md). */
export const triggerSchedule = defineConnector({
  type: "trigger_schedule",
  name: "Schedule trigger",
  description: "Starts the workflow from a cron schedule. Outputs the schedule's input unchanged.",
  category: "triggers",
  kind: "trigger",
  pure: true,
  params: z.object({}).strict(),
  outputs: z.object({}).catchall(z.unknown()),
  openOutputs: true,
});
