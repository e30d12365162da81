ALTER TABLE "workflow_versions" ADD COLUMN "folded" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "workflow_versions" ADD COLUMN "summary" text;