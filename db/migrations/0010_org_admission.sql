CREATE TABLE "organization_admission" (
	"organization_id" text PRIMARY KEY NOT NULL,
	"max_running" integer,
	"last_admitted_at" timestamp with time zone,
	CONSTRAINT "organization_admission_max_running_check" CHECK ("organization_admission"."max_running" >= 0)
);
