/**
 * `/api/connectors` (docs/connectors.md): the catalog, generated from the connector registry.
 * `full` (default) for tools and editors, `summary` compact enough for a system prompt. Hidden
 * params never appear: the projections in lib/engine/catalog.ts leave them out.
 *
 * The registry is small and fixed at start-up, so the list cursor is a plain offset.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiDeps } from "../context";
import { unwrap } from "../errors";
import { errorResponses, listSchema, PageQuerySchema, pageCursor } from "../http";
import { createRouter } from "../router";
import { ConnectorDetailQuerySchema, ConnectorFullSchema, ConnectorSummarySchema, ConnectorTypeParamsSchema } from "../schemas";
import { encodeCursor } from "@/lib/store/cursor";
import { getCatalogEntry, listCatalog } from "@/lib/workflows/catalog";

const TAGS = ["connectors"];
const OffsetCursorSchema = z.object({ o: z.number().int().min(0).max(1_000_000) }).strict();
const EntrySchema = z.union([ConnectorFullSchema, ConnectorSummarySchema]);

const listConnectorsRoute = createRoute({
  method: "get",
  path: "/",
  tags: TAGS,
  summary: "The connector catalog",
  request: { query: PageQuerySchema.extend(ConnectorDetailQuerySchema.shape).strict() },
  responses: {
    200: {
      description: "Catalog entries: ConnectorFull, or ConnectorSummary with ?detail=summary",
      content: { "application/json": { schema: listSchema(EntrySchema, "ConnectorList") } },
    },
    ...errorResponses(400),
  },
});

const getConnectorRoute = createRoute({
  method: "get",
  path: "/{type}",
  tags: TAGS,
  summary: "One connector's catalog entry",
  request: { params: ConnectorTypeParamsSchema, query: ConnectorDetailQuerySchema },
  responses: {
    200: { description: "The entry (full unless ?detail=summary)", content: { "application/json": { schema: EntrySchema } } },
    ...errorResponses(400, 404),
  },
});

/** The connectors sub-app. */
export function connectorRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(listConnectorsRoute, (c) => {
      const { cursor, limit, detail } = c.req.valid("query");
      const offset = pageCursor(cursor, OffsetCursorSchema)?.o ?? 0;
      const all = listCatalog(deps, detail);
      const data = all.slice(offset, offset + limit);
      const nextCursor = offset + limit < all.length ? encodeCursor({ o: offset + limit }) : null;
      return c.json({ data, nextCursor }, 200);
    })
    .openapi(getConnectorRoute, (c) => {
      return c.json(unwrap(getCatalogEntry(deps, c.req.valid("param").type, c.req.valid("query").detail)), 200);
    });
}
