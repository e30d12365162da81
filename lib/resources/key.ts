/**
 * The organization API key resource (docs/architecture.md, "Tenancy and auth"): what a list shows
 * (never key material) and what a create answers, with the key itself, shown that once.
 */
import { z } from "zod";

const timestamp = () => z.string().meta({ format: "date-time" });

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    prefix: z.string().nullable().meta({ example: "weft_" }),
    start: z.string().nullable().describe("The first characters of the key, to recognise it").meta({ example: "weft_AbC" }),
    createdAt: timestamp(),
    expiresAt: timestamp().nullable(),
    lastUsedAt: timestamp().nullable(),
    createdBy: z
      .object({ id: z.string(), name: z.string() })
      .nullable()
      .describe("The user who created the key; null when that user no longer exists or the key predates the record"),
  })
  .describe("An organization API key, without key material.");
export type ApiKey = z.infer<typeof ApiKeySchema>;

export const CreatedApiKeySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  key: z.string().describe("The key itself. Shown once: store it now.").meta({ example: "weft_…" }),
  prefix: z.string().nullable(),
  start: z.string().nullable(),
  createdAt: timestamp(),
  expiresAt: timestamp().nullable(),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;
