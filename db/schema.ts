/**
 * Every table of Weft's own, in one file (DESIGN §3). better-auth's tables and openworkflow's
 * schema live beside these; openworkflow migrates its own schema.
 * Timestamps are millisecond precision so list cursors (JS Dates) round-trip exactly.
 */
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import type { WorkflowDefinition } from "@/lib/engine/model";
import type { EditOp } from "@/lib/engine/ops";

export const workflows = pgTable(
  "workflows",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    version: integer("version").notNull().default(1),
    definition: jsonb("definition").$type<WorkflowDefinition>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** Soft delete: in-flight runs keep their pinned copy; reads answer 404. */
    deletedAt: timestamp("deleted_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index("workflows_org_created_idx")
      .on(t.organizationId, t.createdAt.desc(), t.id.desc())
      .where(sql`${t.deletedAt} is null`),
  ],
);

export const workflowVersions = pgTable(
  "workflow_versions",
  {
    workflowId: text("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    organizationId: text("organization_id").notNull(),
    version: integer("version").notNull(),
    definition: jsonb("definition").$type<WorkflowDefinition>().notNull(),
    /** The ops that produced this version from the previous one (normalized). */
    ops: jsonb("ops").$type<EditOp[]>().notNull(),
    /** Who saved it: "user:<id>", "api_key:<id>" or "system". */
    actor: text("actor").notNull(),
    /** Why, when it was not a plain edit: "create", "restore:<version>". */
    source: text("source").notNull().default("edit"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workflowId, t.version] }), index("workflow_versions_org_idx").on(t.organizationId)],
);

/** Organization secrets (DESIGN §2–§3): AES-256-GCM ciphertext; the value is never returned. */
export const secrets = pgTable(
  "secrets",
  {
    organizationId: text("organization_id").notNull(),
    name: text("name").notNull(),
    /** base64 of iv (12 bytes) ‖ auth tag (16 bytes) ‖ ciphertext. */
    ciphertext: text("ciphertext").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.name] })],
);
