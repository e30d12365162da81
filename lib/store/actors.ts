/**
 * Who saved something, as lists show it (`ActorSummary`): the audit id (`user:<id>`,
 * `api_key:<id>`, `system`…), its kind, and its name inside the organization. Names are looked up
 * only inside that organization (a member's user name, an API key it owns), so a name from
 * another organization can never appear.
 */
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { ActorSummary } from "@/lib/resources/workflow";

/**
 * SQL for the name of `actor` (a column or expression of the outer query) in the organization
 * `organizationId`: correlated subqueries on primary keys, so a page of rows names its actors in
 * the same statement. Null for system actors, former members and revoked keys.
 *
 * The organization is a bound value and `actor` is read once, outside the lookups: drizzle
 * writes a column of a single-table query unqualified, and `"organization_id"` inside the lookup
 * would be member's own column, naming actors from any organization.
 */
export function actorNameSql(actor: SQLWrapper, organizationId: string): SQL<string | null> {
  return sql<string | null>`(SELECT CASE
    WHEN a.actor LIKE 'user:%' THEN (
      SELECT u.name FROM "user" u JOIN member m ON m.user_id = u.id
      WHERE u.id = substr(a.actor, 6) AND m.organization_id = ${organizationId} LIMIT 1)
    WHEN a.actor LIKE 'api_key:%' THEN (
      SELECT k.name FROM apikey k WHERE k.id = substr(a.actor, 9) AND k.reference_id = ${organizationId})
    END FROM (SELECT ${actor} AS actor) a)`;
}

/** The summary of `actor` with the name `actorNameSql` found for it. */
export function actorSummary(actor: string, name: string | null): ActorSummary {
  const kind = actor.startsWith("user:") ? "user" : actor.startsWith("api_key:") ? "api_key" : "system";
  return { actor, kind, name: kind === "system" ? null : name };
}
