ALTER TABLE "schedules" ADD COLUMN "dispatch_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "last_error_at" timestamp (3) with time zone;