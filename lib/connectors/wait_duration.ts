import { z } from "zod";
import { defineConnector } from "@/lib/engine/connector";

/** A durable sleep; the runtime implements it with openworkflow's `step.sleep`. */
export const waitDuration = defineConnector({
  type: "wait_duration",
  name: "Wait",
  description: "Pauses the run for a number of seconds. The wait is durable: it survives restarts.",
  category: "waits",
  kind: "wait",
  params: z
    .object({ seconds: z.number().min(0).max(31_536_000).describe("How long to wait, in seconds (up to a year)") })
    .strict(),
  outputs: z.object({ waitedSeconds: z.number().describe("The seconds waited") }),
});
