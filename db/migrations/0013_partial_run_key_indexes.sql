DROP INDEX "runs_idempotency_idx";--> statement-breakpoint
DROP INDEX "runs_parent_item_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "runs_idempotency_idx" ON "runs" USING btree ("organization_id","workflow_id","idempotency_key") WHERE "runs"."idempotency_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "runs_parent_item_idx" ON "runs" USING btree ("parent_run_id","parent_block_id","item_index") WHERE "runs"."parent_run_id" is not null;