import { z } from "zod";
import { defineConnector } from "@/lib/engine/connector";

/** Starts a workflow by hand, from the editor or `POST /api/workflows/:id/run`. */
export const triggerManual = defineConnector({
  type: "trigger_manual",
  name: "Manual trigger",
  description: "Starts the workflow when someone runs it by hand or through the API. Outputs the run input unchanged.",
  category: "triggers",
  kind: "trigger",
  pure: true,
  params: z.object({}).strict(),
  outputs: z.object({}).catchall(z.unknown()),
  openOutputs: true,
});
