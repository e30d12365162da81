/**
 * MCP resources (docs/mcp.md): the connector catalog and each workflow, as JSON a client can attach
 * to a conversation. They read through the same use-cases as the tools.
 *
 *   weft://connectors              the catalog, summary form (list_connectors without `type`)
 *   weft://connectors/{type}       one connector in full
 *   weft://workflows/{workflow_id} a workflow with its definition (get_workflow)
 */
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "@/lib/log";
import type { WorkflowListItem } from "@/lib/resources/workflow";
import { getCatalogEntry, listCatalog } from "@/lib/workflows/catalog";
import type { Outcome } from "@/lib/workflows/outcome";
import { getWorkflow, listWorkflows } from "@/lib/workflows/workflows";
import { thrownFailure, type ToolContext } from "./tool";

/** The MCP error code of a resource that does not exist (the spec's -32002). */
const RESOURCE_NOT_FOUND = -32002;
const INTERNAL_ERROR = -32603;
/** Workflows a resource listing names: the newest ones (list_workflows pages through all). */
const LISTED_WORKFLOWS = 50;

const JSON_TYPE = "application/json";

/**
 * The resource's contents, or the MCP error for its failure carrying the API's `{ error, message }`
 * as data. Thrown errors become `database_unavailable` or `internal_error` (logged), never raw messages.
 */
async function read(uri: URL, logger: Logger, load: () => Outcome<unknown> | Promise<Outcome<unknown>>): Promise<ReadResourceResult> {
  let outcome: Outcome<unknown>;
  try {
    outcome = await load();
  } catch (error) {
    throw thrownError(error, logger, uri.href);
  }
  if (!outcome.ok) {
    const { code, message, ...details } = outcome.failure;
    throw new McpError(RESOURCE_NOT_FOUND, message, { error: code, message, ...details });
  }
  return { contents: [{ uri: uri.href, mimeType: JSON_TYPE, text: JSON.stringify(outcome.value) }] };
}

/** The MCP error for something a read threw: `database_unavailable`, or `internal_error` (a bug, logged); never its raw message. */
function thrownError(error: unknown, logger: Logger, what: string): McpError {
  const body = thrownFailure(error, logger, { resource: what }, "MCP resource read failed");
  return new McpError(INTERNAL_ERROR, body.message, body);
}

/** A template variable as one string (the SDK gives arrays for exploded variables). */
function single(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

/** Registers the catalog and workflow resources on `server` for `context`. */
export function serveResources(server: McpServer, { deps, actor }: ToolContext): void {
  const { logger } = deps;
  server.registerResource(
    "connectors",
    "weft://connectors",
    { title: "Block types", description: "Every connector (block type) in summary form: params, outputs, handles.", mimeType: JSON_TYPE },
    (uri) => read(uri, logger, () => ({ ok: true, value: { connectors: listCatalog(deps, "summary") } })),
  );
  server.registerResource(
    "connector",
    new ResourceTemplate("weft://connectors/{type}", {
      list: () => ({
        resources: deps.registry.list().map((connector) => ({
          uri: `weft://connectors/${connector.type}`,
          name: connector.type,
          title: connector.name,
          description: connector.description,
          mimeType: JSON_TYPE,
        })),
      }),
    }),
    { title: "One block type", description: "A connector in full: each param's type and JSON Schema, outputs and handles.", mimeType: JSON_TYPE },
    (uri, variables) => read(uri, logger, () => getCatalogEntry(deps, single(variables.type), "full")),
  );
  server.registerResource(
    "workflow",
    new ResourceTemplate("weft://workflows/{workflow_id}", {
      list: async () => {
        let workflows: WorkflowListItem[];
        try {
          const page = await listWorkflows(deps, actor, { limit: LISTED_WORKFLOWS });
          workflows = page.ok ? page.value.data : [];
        } catch (error) {
          throw thrownError(error, logger, "weft://workflows/");
        }
        return {
          resources: workflows.map((workflow) => ({
            uri: `weft://workflows/${workflow.id}`,
            name: workflow.id,
            title: workflow.name,
            description: `${workflow.name}, version ${workflow.version}`,
            mimeType: JSON_TYPE,
          })),
        };
      },
    }),
    { title: "A workflow", description: "A workflow with its current definition (as get_workflow returns it).", mimeType: JSON_TYPE },
    (uri, variables) => read(uri, logger, () => getWorkflow(deps, actor, single(variables.workflow_id))),
  );
}
