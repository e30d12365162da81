import { z } from "zod";
import { defineConnector, ui } from "@/lib/engine/connector";

/** Builds any JSON value from templates; the runtime resolves them before `run`. */
export const transform = defineConnector({
  type: "transform",
  name: "Transform",
  description: "Builds any JSON value from the run's data. Templates in value are resolved, whole-value templates keep their type.",
  category: "data",
  kind: "action",
  pure: true,
  params: z
    .object({
      value: z
        .unknown()
        .describe("Any JSON; may contain {{…}} templates")
        .meta(ui({ label: "Value", widget: "json", placeholder: '{ "total": "{{trigger.body.total}}" }' })),
    })
    .strict(),
  outputs: z.object({ value: z.unknown().describe("The value with templates resolved") }),
  run: async (_ctx, params) => ({ value: params.value }),
});
