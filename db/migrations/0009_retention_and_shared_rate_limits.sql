CREATE TABLE "organization_settings" (
	"organization_id" text PRIMARY KEY NOT NULL,
	"run_retention_days" integer,
	"updated_by" text NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Edited by hand: UNLOGGED (drizzle-kit cannot say it). Rate-limit state needs no WAL; a crash empties the table.
CREATE UNLOGGED TABLE "rate_limit_buckets" (
	"key" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"updated_ms" double precision NOT NULL,
	"allowed" boolean NOT NULL
);
--> statement-breakpoint
CREATE INDEX "events_run_id_idx" ON "events" USING btree ("run_id") WHERE "events"."run_id" is not null;--> statement-breakpoint
CREATE INDEX "events_consumed_by_run_idx" ON "events" USING btree ("consumed_by_run") WHERE "events"."consumed_by_run" is not null;--> statement-breakpoint
CREATE INDEX "events_unconsumed_org_idx" ON "events" USING btree ("organization_id","created_at") WHERE "events"."consumed_at" is null and "events"."run_id" is null;--> statement-breakpoint
CREATE INDEX "runs_retention_idx" ON "runs" USING btree ("organization_id","finished_at") WHERE "runs"."status" in ('succeeded', 'failed', 'canceled');