/**
 * The connector catalog (docs/connectors.md) as every door serves it: the HTTP API's
 * `/api/connectors` and the MCP server's `list_connectors` and `weft://connectors`. Entries are the
 * engine's projections, so hidden params never appear.
 */
import { catalogEntryFull, catalogEntrySummary, type CatalogEntryFull, type CatalogEntrySummary } from "@/lib/engine/catalog";
import type { AnyConnector, ConnectorRegistry } from "@/lib/engine/connector";
import { fail, succeed, type Outcome } from "./outcome";

/** `full` for tools and editors; `summary` compact enough for a system prompt. */
export type CatalogDetail = "full" | "summary";
export type CatalogEntry = CatalogEntryFull | CatalogEntrySummary;

function project(connector: AnyConnector, detail: CatalogDetail): CatalogEntry {
  return detail === "summary" ? catalogEntrySummary(connector) : catalogEntryFull(connector);
}

/** Every registered connector, in registry order. */
export function listCatalog(deps: { registry: ConnectorRegistry }, detail: CatalogDetail): CatalogEntry[] {
  return deps.registry.list().map((connector) => project(connector, detail));
}

/** One connector's entry, or `not_found` naming the registered types. */
export function getCatalogEntry(deps: { registry: ConnectorRegistry }, type: string, detail: CatalogDetail): Outcome<CatalogEntry> {
  const connector = deps.registry.get(type);
  if (!connector) {
    return fail({ code: "not_found", message: `No connector of type ${JSON.stringify(type)}; the registered types are: ${deps.registry.types().join(", ")}.` });
  }
  return succeed(project(connector, detail));
}
