/**
 * What the MCP server needs: the same dependencies the HTTP routes hand to the use-cases, so both
 * doors reach the same data the same way.
 */
import type { Database } from "@/db/client";
import type { ConnectorRegistry } from "@/lib/engine/connector";
import type { Logger } from "@/lib/log";
import type { Runtime } from "@/lib/runtime/types";

export interface McpDeps {
  db: Database;
  registry: ConnectorRegistry;
  runtime: Runtime;
  logger: Logger;
  /** WEFT_LAYOUT_FOLD_MS, as for the patch endpoint. */
  layoutFoldMs: number;
}
