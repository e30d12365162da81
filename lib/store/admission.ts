/**
 * Per-organization admission settings (docs/runs.md, "Admission"): the operator's override of
 * WEFT_ORG_MAX_RUNNING. Workers read it on every claim (db/admission.ts), so a change applies to
 * the next run admitted; runs already executing are not stopped.
 */
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { organizationAdmission } from "@/db/schema";

/**
 * Sets the organization's cap on runs executing at once across all workers: a whole number ≥ 0
 * (0 = no cap), or null to fall back to WEFT_ORG_MAX_RUNNING. Keeps its round-robin turn.
 */
export async function setOrganizationMaxRunning(db: Database, organizationId: string, maxRunning: number | null): Promise<void> {
  if (maxRunning !== null && !(Number.isInteger(maxRunning) && maxRunning >= 0)) {
    throw new RangeError(`maxRunning must be a whole number ≥ 0 or null, not ${maxRunning}`);
  }
  await db
    .insert(organizationAdmission)
    .values({ organizationId, maxRunning })
    .onConflictDoUpdate({ target: organizationAdmission.organizationId, set: { maxRunning: sql`excluded.max_running` } });
}

/** The organization's override, or null when it has none (WEFT_ORG_MAX_RUNNING applies). */
export async function getOrganizationMaxRunning(db: Database, organizationId: string): Promise<number | null> {
  const [row] = await db
    .select({ maxRunning: organizationAdmission.maxRunning })
    .from(organizationAdmission)
    .where(eq(organizationAdmission.organizationId, organizationId));
  return row?.maxRunning ?? null;
}
