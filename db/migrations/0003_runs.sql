CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"run_id" text,
	"event" text NOT NULL,
	"key" text,
	"data" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"consumed_at" timestamp (3) with time zone,
	"consumed_by_run" text,
	"consumed_by_block" text
);
--> statement-breakpoint
CREATE TABLE "run_logs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"block_id" text NOT NULL,
	"block_type" text NOT NULL,
	"attempt" integer NOT NULL,
	"status" text NOT NULL,
	"input" jsonb,
	"output" jsonb,
	"error" jsonb,
	"messages" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"started_at" timestamp (3) with time zone,
	"finished_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_waits" (
	"run_id" text NOT NULL,
	"block_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"kind" text NOT NULL,
	"event" text,
	"key" text,
	"until" timestamp (3) with time zone,
	"open" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_waits_run_id_block_id_pk" PRIMARY KEY("run_id","block_id")
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"workflow_id" text NOT NULL,
	"workflow_version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"input" jsonb NOT NULL,
	"output" jsonb,
	"error" jsonb,
	"idempotency_key" text,
	"ow_run_id" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp (3) with time zone,
	"finished_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE INDEX "events_run_idx" ON "events" USING btree ("run_id","event") WHERE "events"."consumed_at" is null;--> statement-breakpoint
CREATE INDEX "events_key_idx" ON "events" USING btree ("organization_id","event","key") WHERE "events"."consumed_at" is null;--> statement-breakpoint
CREATE INDEX "run_logs_run_idx" ON "run_logs" USING btree ("run_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "run_logs_attempt_idx" ON "run_logs" USING btree ("run_id","block_id","attempt");--> statement-breakpoint
CREATE INDEX "run_waits_event_idx" ON "run_waits" USING btree ("organization_id","event","key") WHERE "run_waits"."open";--> statement-breakpoint
CREATE INDEX "runs_org_created_idx" ON "runs" USING btree ("organization_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "runs_org_workflow_idx" ON "runs" USING btree ("organization_id","workflow_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "runs_org_status_idx" ON "runs" USING btree ("organization_id","status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "runs_idempotency_idx" ON "runs" USING btree ("organization_id","workflow_id","idempotency_key");