/**
 * The secret resource as lists and writes show it (docs/architecture.md, "Tenancy and auth"): a
 * name and dates, never the value, which goes in and never comes out.
 */
import { z } from "zod";

const timestamp = () => z.string().meta({ format: "date-time" });

export const SecretSchema = z
  .object({
    name: z.string().meta({ example: "SLACK_TOKEN" }),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  })
  .describe("A secret's name and dates; its value is never returned.");
export type SecretInfo = z.infer<typeof SecretSchema>;
