/**
 * Every table of Weft's own, in one file (docs/patch-endpoint.md). better-auth's tables and openworkflow's
 * schema live beside these; openworkflow migrates its own schema.
 * Timestamps are millisecond precision so list cursors (JS Dates) round-trip exactly.
 */
import { sql } from "drizzle-orm";
import { bigserial, boolean, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
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
    /** The ops that produced this version from the previous entry (normalized; a folded entry holds one move per block). */
    ops: jsonb("ops").$type<EditOp[]>().notNull(),
    /** Who saved it: "user:<id>", "api_key:<id>" or "system". */
    actor: text("actor").notNull(),
    /** Why, when it was not a plain edit: "create", "restore:<version>". */
    source: text("source").notNull().default("edit"),
    /**
     * When it was saved; for a folded entry, when its latest save was. Position-only saves by the
     * same actor within WEFT_LAYOUT_FOLD_MS rewrite the newest entry instead of adding one
     * (lib/store/workflow-versions.ts), so `version` moves up and the numbers in between are gone.
     */
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** How many saves this entry stands for: 1, or more once layout saves were folded into it. */
    folded: integer("folded").notNull().default(1),
    /** One line saying what `ops` did (lib/engine/version-summary.ts); null for entries saved before it existed. */
    summary: text("summary"),
  },
  (t) => [primaryKey({ columns: [t.workflowId, t.version] }), index("workflow_versions_org_idx").on(t.organizationId)],
);

/** Organization secrets (docs/architecture.md, "Tenancy and auth"): AES-256-GCM ciphertext; the value is never returned. */
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

/**
 * One row per run (docs/runs.md). The openworkflow run (`owRunId`) executes it; this row is the
 * org-scoped resource the API reads, with the definition pinned at dispatch.
 * `status` is queued | running | succeeded | failed | canceled; "waiting" is derived from an open
 * row in `run_waits`.
 */
export const runs = pgTable(
  "runs",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    workflowVersion: integer("workflow_version").notNull(),
    definition: jsonb("definition").$type<WorkflowDefinition>().notNull(),
    trigger: text("trigger").notNull(),
    /** Who started it: the actor of startRun (`user:<id>`, `api_key:<id>`, `webhook:<endpoint id>`, `schedule:<id>`). */
    triggeredBy: text("triggered_by"),
    status: text("status").notNull().default("queued"),
    input: jsonb("input").notNull(),
    output: jsonb("output"),
    error: jsonb("error"),
    idempotencyKey: text("idempotency_key"),
    owRunId: text("ow_run_id"),
    /** A run started by another run's call_workflow block (docs/runs.md, "Child runs"): that run, its block and the item. */
    parentRunId: text("parent_run_id"),
    parentBlockId: text("parent_block_id"),
    itemIndex: integer("item_index"),
    /** How many call_workflow calls deep the run is: 0 for a run nothing called. */
    depth: integer("depth").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true, precision: 3 }),
    finishedAt: timestamp("finished_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index("runs_org_created_idx").on(t.organizationId, t.createdAt.desc(), t.id.desc()),
    index("runs_org_workflow_idx").on(t.organizationId, t.workflowId, t.createdAt.desc()),
    index("runs_org_status_idx").on(t.organizationId, t.status, t.createdAt),
    index("runs_org_triggered_by_idx").on(t.organizationId, t.triggeredBy, t.createdAt.desc()),
    // The next two are partial: most runs have no key and no parent, and an index entry for them
    // would cost every run's insert and each of its status changes (README, "Benchmarks").
    uniqueIndex("runs_idempotency_idx")
      .on(t.organizationId, t.workflowId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    /** One child run per (parent run, block, item): a replayed call_workflow step never starts one twice. */
    uniqueIndex("runs_parent_item_idx")
      .on(t.parentRunId, t.parentBlockId, t.itemIndex)
      .where(sql`${t.parentRunId} is not null`),
    /** The retention sweep (lib/store/retention.ts): an organization's finished runs, oldest first. */
    index("runs_retention_idx")
      .on(t.organizationId, t.finishedAt)
      .where(sql`${t.status} in ('succeeded', 'failed', 'canceled')`),
  ],
);

/** One entry per block attempt (and per skipped block); `id` is the log cursor. */
export const runLogs = pgTable(
  "run_logs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: text("run_id").notNull(),
    organizationId: text("organization_id").notNull(),
    blockId: text("block_id").notNull(),
    blockType: text("block_type").notNull(),
    attempt: integer("attempt").notNull(),
    /** succeeded | failed | skipped | waiting | timed_out */
    status: text("status").notNull(),
    /** Params after template resolution, secrets redacted. */
    input: jsonb("input"),
    output: jsonb("output"),
    error: jsonb("error"),
    /** Lines written by the block (the `log` connector, warnings). */
    messages: jsonb("messages").$type<{ level: string; message: string; at: string }[]>().notNull().default([]),
    startedAt: timestamp("started_at", { withTimezone: true, precision: 3 }),
    finishedAt: timestamp("finished_at", { withTimezone: true, precision: 3 }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index("run_logs_run_idx").on(t.runId, t.id),
    uniqueIndex("run_logs_attempt_idx").on(t.runId, t.blockId, t.attempt),
  ],
);

/**
 * Events (docs/runs.md), stored until a matching wait consumes them: addressed to one run
 * (`runId`), or to the organization with a `key`.
 */
export const events = pgTable(
  "events",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    runId: text("run_id"),
    event: text("event").notNull(),
    key: text("key"),
    data: jsonb("data"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    consumedAt: timestamp("consumed_at", { withTimezone: true, precision: 3 }),
    consumedByRun: text("consumed_by_run"),
    consumedByBlock: text("consumed_by_block"),
  },
  (t) => [
    index("events_run_idx").on(t.runId, t.event).where(sql`${t.consumedAt} is null`),
    index("events_key_idx").on(t.organizationId, t.event, t.key).where(sql`${t.consumedAt} is null`),
    // The retention sweep deletes a run's events (addressed to it or consumed by it) with the run,
    // and expires org-wide events nothing consumed (lib/store/retention.ts).
    index("events_run_id_idx").on(t.runId).where(sql`${t.runId} is not null`),
    index("events_consumed_by_run_idx").on(t.consumedByRun).where(sql`${t.consumedByRun} is not null`),
    index("events_unconsumed_org_idx")
      .on(t.organizationId, t.createdAt)
      .where(sql`${t.consumedAt} is null and ${t.runId} is null`),
  ],
);

/** A run parked in a wait block: makes its status "waiting" and lets events find their waiter. */
export const runWaits = pgTable(
  "run_waits",
  {
    runId: text("run_id").notNull(),
    blockId: text("block_id").notNull(),
    organizationId: text("organization_id").notNull(),
    /** "duration" | "event" | "children" */
    kind: text("kind").notNull(),
    event: text("event"),
    key: text("key"),
    until: timestamp("until", { withTimezone: true, precision: 3 }),
    open: boolean("open").notNull().default(true),
    /** kind children: how many child runs had finished when the block last checked, and when (the children watch, lib/runtime/children-watch.ts). */
    settledSeen: integer("settled_seen"),
    checkedAt: timestamp("checked_at", { withTimezone: true, precision: 3 }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.blockId] }),
    index("run_waits_children_idx").on(t.checkedAt).where(sql`${t.kind} = 'children' and ${t.open}`),
    index("run_waits_event_idx").on(t.organizationId, t.event, t.key).where(sql`${t.open}`),
  ],
);

/**
 * Cron schedules (docs/runs.md, "Schedules"). The ticker claims due rows with `FOR UPDATE SKIP LOCKED`, fires the
 * latest due slot (missed slots coalesce into one firing) with idempotency key
 * `schedule:<id>:<slot>`, then advances `nextFireAt`. A failed dispatch leaves the row due.
 */
export const schedules = pgTable(
  "schedules",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull().default("UTC"),
    input: jsonb("input"),
    enabled: boolean("enabled").notNull().default(true),
    /** Why the system disabled it (e.g. "workflow_deleted"); null when enabled or disabled by a person. */
    disabledReason: text("disabled_reason"),
    lastFiredSlot: timestamp("last_fired_slot", { withTimezone: true, precision: 3 }),
    lastFiredAt: timestamp("last_fired_at", { withTimezone: true, precision: 3 }),
    lastRunId: text("last_run_id"),
    nextFireAt: timestamp("next_fire_at", { withTimezone: true, precision: 3 }),
    /** Failed dispatches of the current slot in a row; each one pushes next_fire_at back (lib/schedules/retry.ts). 0 after a dispatch succeeds. */
    dispatchFailures: integer("dispatch_failures").notNull().default(0),
    /** The message of the latest failed dispatch and when it failed; null once a dispatch succeeds. */
    lastError: text("last_error"),
    /** What the latest failure carried besides its message: `{ code: "workflow_invalid", validation_errors }`. */
    lastErrorDetails: jsonb("last_error_details").$type<Record<string, unknown>>(),
    lastErrorAt: timestamp("last_error_at", { withTimezone: true, precision: 3 }),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index("schedules_due_idx").on(t.nextFireAt).where(sql`${t.enabled}`),
    index("schedules_org_created_idx").on(t.organizationId, t.createdAt.desc(), t.id.desc()),
  ],
);

/**
 * Per-tenant inbound webhook endpoints (docs/runs.md, "Inbound webhooks"). The secret is stored encrypted (lib/secrets)
 * so HMAC signatures can be verified; after a rotation the previous secret stays valid until
 * `previousSecretExpiresAt`.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    methods: jsonb("methods").$type<string[]>().notNull(),
    secretCiphertext: text("secret_ciphertext").notNull(),
    previousSecretCiphertext: text("previous_secret_ciphertext"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true, precision: 3 }),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    rotatedAt: timestamp("rotated_at", { withTimezone: true, precision: 3 }),
    deletedAt: timestamp("deleted_at", { withTimezone: true, precision: 3 }),
    /** "accepted": answer 202 at once unless the call sends ?wait; "wait": wait `waitSeconds` for the run's answer. */
    responseMode: text("response_mode").notNull().default("accepted"),
    /** How long a call waits in response mode "wait" (1–30 s). */
    waitSeconds: integer("wait_seconds").notNull().default(10),
  },
  (t) => [
    index("webhook_endpoints_org_workflow_idx").on(t.organizationId, t.workflowId),
    check("webhook_endpoints_response_mode_check", sql`${t.responseMode} in ('accepted', 'wait')`),
    check("webhook_endpoints_wait_seconds_check", sql`${t.waitSeconds} between 1 and 30`),
  ],
);

/**
 * The answer a webhook-started run gave its caller (a `respond_webhook` block; docs/runs.md,
 * "Answering the caller"): at most one per run, the first block to respond wins. Written by the
 * worker (with a NOTIFY on weft_run_status), read by the web request waiting on the run.
 * Deleted with its run by retention.
 */
export const webhookResponses = pgTable("webhook_responses", {
  runId: text("run_id").primaryKey(),
  organizationId: text("organization_id").notNull(),
  /** The block that responded: a replay of the same block is the same response. */
  blockId: text("block_id").notNull(),
  status: integer("status").notNull(),
  /** Lower-case names; secrets redacted; never a refused header (lib/engine/webhook-response.ts). */
  headers: jsonb("headers").$type<Record<string, string>>().notNull(),
  /** The body as sent, or null for none. */
  body: text("body"),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/**
 * Per-organization settings an owner or admin may change (`/api/settings/*`). A null column means
 * "the instance default" (an environment variable), so changing the default reaches every
 * organization that never chose.
 */
export const organizationSettings = pgTable("organization_settings", {
  organizationId: text("organization_id").primaryKey(),
  /** Days finished runs (and their logs, events and openworkflow rows) are kept; null: WEFT_RETENTION_DAYS. */
  runRetentionDays: integer("run_retention_days"),
  updatedBy: text("updated_by").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/**
 * The shared rate limiter's token buckets (lib/store/rate-limit-buckets.ts), one row per
 * (limiter, organization, principal). UNLOGGED (set by hand in its migration): no WAL, so a take
 * is one cheap upsert; after a crash the table is empty, and every bucket starts full.
 * No index beyond the key, so updates stay HOT.
 */
export const rateLimitBuckets = pgTable("rate_limit_buckets", {
  key: text("key").primaryKey(),
  /** Tokens left after the latest take (fractional: they refill continuously). */
  tokens: doublePrecision("tokens").notNull(),
  /** When `tokens` was computed: the database clock (or the limiter's injected clock), ms since the epoch. */
  updatedMs: doublePrecision("updated_ms").notNull(),
  /** Whether the latest take got a token (an upsert cannot return the row's previous value). */
  allowed: boolean("allowed").notNull(),
});

/**
 * How an organization's runs are admitted to the workers (docs/runs.md, "Admission"). A row holds
 * an operator's override of `WEFT_ORG_MAX_RUNNING` and the organization's round-robin turn, which
 * the workers' claim (`claim_workflow_run`, db/admission.ts) writes each time it admits one of its
 * runs. An organization without a row has the environment's cap and has never been admitted.
 */
export const organizationAdmission = pgTable(
  "organization_admission",
  {
    organizationId: text("organization_id").primaryKey(),
    /** Runs of the organization executing at once across all workers: null = WEFT_ORG_MAX_RUNNING, 0 = no cap. */
    maxRunning: integer("max_running"),
    /** When a worker last admitted one of its runs: the round-robin turn (microseconds, not a cursor). */
    lastAdmittedAt: timestamp("last_admitted_at", { withTimezone: true }),
  },
  (t) => [check("organization_admission_max_running_check", sql`${t.maxRunning} >= 0`)],
);
