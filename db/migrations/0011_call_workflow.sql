ALTER TABLE "run_waits" ADD COLUMN "settled_seen" integer;--> statement-breakpoint
ALTER TABLE "run_waits" ADD COLUMN "checked_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "parent_run_id" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "parent_block_id" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "item_index" integer;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "depth" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "run_waits_children_idx" ON "run_waits" USING btree ("checked_at") WHERE "run_waits"."kind" = 'children' and "run_waits"."open";--> statement-breakpoint
CREATE UNIQUE INDEX "runs_parent_item_idx" ON "runs" USING btree ("parent_run_id","parent_block_id","item_index");