import { z } from "zod";
import { defineConnector } from "@/lib/engine/connector";

/** Starts a workflow from an inbound webhook endpoint (docs/connectors.md). */
export const triggerWebhook = defineConnector({
  type: "trigger_webhook",
  name: "Webhook trigger",
  description: "Starts the workflow when an outside system calls one of its webhook endpoints. Outputs the request: method, headers (credentials removed), query and body.",
  category: "triggers",
  kind: "trigger",
  pure: true,
  params: z.object({}).strict(),
  outputs: z.object({
    method: z.string().describe("HTTP method of the inbound request"),
    headers: z.record(z.string(), z.string()).describe("Request headers, credentials removed"),
    query: z.record(z.string(), z.string()).describe("Query string parameters"),
    body: z.unknown().describe("Request body: parsed JSON, else text"),
  }),
});
