/**
 * The MCP tool over the connector catalog (lib/workflows/catalog.ts, as `/api/connectors`).
 */
import { z } from "zod";
import { succeed } from "@/lib/workflows/outcome";
import { getCatalogEntry, listCatalog } from "@/lib/workflows/catalog";
import { defineTool } from "@/lib/mcp/tool";

const listConnectorsTool = defineTool({
  name: "list_connectors",
  title: "List block types",
  description:
    "The block types (connectors) a workflow can use. Call it first, before adding blocks: without `type` it returns { connectors: [...] }, each { type, name, kind, description, params, outputs, handles } in summary form (params as \"name*: type\", * = required), compact enough to keep in mind. With `type` it returns that one connector in full: each param's type, description, whether it is required, its default and JSON Schema (paramsSchema), the outputs later blocks may reference as {{<blockId>.<output>}}, and the handles its outgoing edges may use. Kinds: trigger (exactly one per workflow, first), action, logic (condition/switch, branching by handle), wait. Error `not_found`: no connector of that type (the message lists the registered types).",
  input: z
    .object({
      type: z.string().min(1).max(200).optional().describe("One connector type (e.g. http_request) to read in full; omit for all of them"),
      detail: z.enum(["summary", "full"]).optional().describe("Override the default: summary for the list, full for one type"),
    })
    .strict(),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ type, detail }, { deps }) =>
    type === undefined ? succeed({ connectors: listCatalog(deps, detail ?? "summary") }) : getCatalogEntry(deps, type, detail ?? "full"),
});

export const catalogTools = [listConnectorsTool];
