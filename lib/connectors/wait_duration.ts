import { z } from "zod";
import { defineConnector, ui } from "@/lib/engine/connector";

/** A durable sleep; the runtime runs it as a durable timer (docs/runs.md). */
export const waitDuration = defineConnector({
  type: "wait_duration",
  name: "Wait",
  description: "Pauses the run for a number of seconds. The wait is durable: it survives restarts.",
  category: "waits",
  kind: "wait",
  params: z
    .object({
      seconds: z
        .number()
        .min(0)
        .max(31_536_000)
        .describe("How long to wait, in seconds (up to a year)")
        .meta(ui({ label: "Seconds", widget: "number", placeholder: "60" })),
    })
    .strict(),
  outputs: z.object({ waitedSeconds: z.number().describe("The seconds waited") }),
  wait: { kind: "duration", seconds: (params) => params.seconds },
});
