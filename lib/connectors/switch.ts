import { z } from "zod";
import { defineConnector, ui } from "@/lib/engine/connector";
import { compare } from "./condition";

const caseHandle = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, "a handle starts with a letter; letters, digits, _ and - follow")
  .refine((h) => h !== "default" && h !== "error", "default and error are reserved handles");

/** Multi-way branch: the first case whose `equals` matches `value` wins, else `default`. */
export const switchConnector = defineConnector({
  type: "switch",
  name: "Switch",
  description:
    "Branches on a value: takes the handle of the first case that equals it, else default. Equal means the same JSON, or the same number.",
  category: "logic",
  kind: "logic",
  pure: true,
  params: z
    .object({
      value: z
        .unknown()
        .describe("The value to match, usually a template")
        .meta(ui({ label: "Value", widget: "text", placeholder: "{{trigger.body.region}}" })),
      cases: z
        .array(z.object({ handle: caseHandle, equals: z.unknown() }).strict())
        .max(100)
        .describe("Cases in order: { handle, equals }")
        .meta(ui({ label: "Cases", widget: "json", placeholder: '[{ "handle": "eu", "equals": "eu" }]' })),
    })
    .strict(),
  outputs: z.object({ handle: z.string().describe("The handle taken"), value: z.unknown().describe("The value matched") }),
  handles: ["default"],
  paramHandles: {
    description: "one handle per cases[].handle",
    list: (params) =>
      Array.isArray(params.cases)
        ? params.cases.flatMap((c: unknown) =>
            c && typeof c === "object" && typeof (c as { handle?: unknown }).handle === "string"
              ? [(c as { handle: string }).handle]
              : [],
          )
        : [],
  },
  run: async (_ctx, params) => {
    const hit = params.cases.find((c) => compare(params.value, "eq", c.equals));
    const handle = hit ? hit.handle : "default";
    return { branch: handle, output: { handle, value: params.value } };
  },
});
