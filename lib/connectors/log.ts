import { z } from "zod";
import { defineConnector, ui } from "@/lib/engine/connector";

/** Writes one message to the run log. */
export const log = defineConnector({
  type: "log",
  name: "Log",
  description: "Writes one entry to the run log. Useful to record a value while building a workflow.",
  category: "data",
  kind: "action",
  params: z
    .object({
      message: z
        .string()
        .max(100_000)
        .describe("The text to log; may contain templates")
        .meta(ui({ label: "Message", widget: "textarea", placeholder: "Order {{trigger.body.id}} received" })),
      level: z
        .enum(["debug", "info", "warn", "error"])
        .optional()
        .describe("Log level (default info)")
        .meta(ui({ label: "Level", widget: "select" })),
    })
    .strict(),
  outputs: z.object({ message: z.string().describe("The message as logged") }),
  run: async (ctx, params) => {
    ctx.log(params.level ?? "info", params.message);
    return { message: params.message };
  },
});
