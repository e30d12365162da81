import { z } from "zod";
import { defineConnector } from "@/lib/engine/connector";

/** Calls an HTTP endpoint; the runtime issue supplies `run` with its SSRF guard (DESIGN §3). */
export const httpRequest = defineConnector({
  type: "http_request",
  name: "HTTP request",
  description:
    "Calls an HTTP endpoint and outputs its status, headers and body (JSON parsed when it is JSON). A non-2xx status fails the block unless fail_on_status is false; private and loopback addresses are refused.",
  category: "network",
  kind: "action",
  params: z
    .object({
      method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]).describe("HTTP method"),
      url: z.string().min(1).max(8_192).describe("Absolute http(s) URL"),
      headers: z.record(z.string(), z.string()).optional().describe("Request headers"),
      query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe("Query parameters added to the URL"),
      body: z.unknown().optional().describe("Request body: objects and arrays are sent as JSON"),
      timeout_ms: z.number().int().min(1).max(300_000).optional().describe("Timeout in milliseconds (default 30000)"),
      fail_on_status: z.boolean().optional().describe("Fail the block on a non-2xx status (default true)"),
      allow_private_network: z
        .boolean()
        .optional()
        .meta({ visibility: "hidden", description: "Operator-only: allow private, loopback and link-local targets" }),
    })
    .strict(),
  outputs: z.object({
    status: z.number().describe("HTTP status code"),
    headers: z.record(z.string(), z.string()).describe("Response headers"),
    body: z.unknown().describe("Response body: parsed JSON, else text"),
  }),
});
