import { z } from "zod";
import { defineConnector, ui } from "@/lib/engine/connector";

/** A durable wait for an event sent to the run or to the org with a matching key (docs/runs.md). */
export const waitForEvent = defineConnector({
  type: "wait_for_event",
  name: "Wait for event",
  description:
    "Pauses the run until an event arrives: sent to this run, or to the organization with a matching key. Takes the timeout handle when timeout_seconds pass first.",
  category: "waits",
  kind: "wait",
  params: z
    .object({
      event: z
        .string()
        .min(1)
        .max(200)
        .describe("Event name to wait for")
        .meta(ui({ label: "Event name", widget: "text", placeholder: "order.paid" })),
      key: z
        .string()
        .min(1)
        .max(500)
        .optional()
        .describe("Match org-wide events sent with this key")
        .meta(ui({ label: "Match key", widget: "text", placeholder: "{{trigger.body.orderId}}" })),
      timeout_seconds: z
        .number()
        .min(1)
        .max(31_536_000)
        .optional()
        .describe("Give up after this many seconds")
        .meta(ui({ label: "Timeout (seconds)", widget: "number", placeholder: "86400", advanced: true })),
    })
    .strict(),
  outputs: z.object({
    event: z.string().describe("The event name"),
    data: z.unknown().describe("The event's data"),
    receivedAt: z.string().describe("When the event was received (ISO 8601)"),
    timedOut: z.boolean().optional().describe("true on the timeout branch"),
  }),
  handles: ["timeout"],
  wait: {
    kind: "event",
    match: (params) => ({ event: params.event, key: params.key, timeoutSeconds: params.timeout_seconds }),
  },
});
