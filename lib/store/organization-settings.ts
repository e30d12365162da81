/**
 * Per-organization settings (`organization_settings`): today, how long finished runs are kept
 * (docs/runs.md, "Retention"). A missing row or a null column means the instance default.
 */
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { organizationSettings } from "@/db/schema";

// The retention bounds and default are the instance setting's (WEFT_RETENTION_DAYS), defined once in lib/config.ts.
export { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from "@/lib/config";

export interface RetentionSetting {
  /** The organization's own choice, or null when it follows the default. */
  days: number | null;
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** The organization's retention choice (null days when it never chose, or reset to the default). */
export async function getRetentionSetting(db: Database, organizationId: string): Promise<RetentionSetting> {
  const [row] = await db
    .select({ days: organizationSettings.runRetentionDays, updatedAt: organizationSettings.updatedAt, updatedBy: organizationSettings.updatedBy })
    .from(organizationSettings)
    .where(eq(organizationSettings.organizationId, organizationId));
  return row ?? { days: null, updatedAt: null, updatedBy: null };
}

/** Sets (or, with null, clears) the organization's retention in days; returns the stored setting. */
export async function setRetentionDays(db: Database, organizationId: string, days: number | null, actor: string): Promise<RetentionSetting> {
  const [row] = await db
    .insert(organizationSettings)
    .values({ organizationId, runRetentionDays: days, updatedBy: actor })
    .onConflictDoUpdate({
      target: organizationSettings.organizationId,
      set: { runRetentionDays: days, updatedBy: actor, updatedAt: sql`now()` },
    })
    .returning({ days: organizationSettings.runRetentionDays, updatedAt: organizationSettings.updatedAt, updatedBy: organizationSettings.updatedBy });
  return row;
}
