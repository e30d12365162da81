/**
 * Secret store: every function takes the organization id and filters on it (docs/architecture.md,
 * "Tenancy and auth"). Values are encrypted before they reach the database (lib/secrets.ts) and
 * only `getSecretValues`, for the runtime, ever decrypts them; everything the API sees is names and
 * dates.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import { secrets } from "@/db/schema";
import { decryptSecret, encryptSecret, SECRET_NAME_PATTERN } from "@/lib/secrets";
import type { SecretInfo } from "@/lib/resources/secret";
import { byUniqueColumn, keysetPage, type Page, type PageRequest } from "./pages";

/** A position in the name-ordered secret list. */
export const SecretCursorSchema = z.object({ n: z.string().regex(SECRET_NAME_PATTERN) }).strict();
export type SecretCursor = z.infer<typeof SecretCursorSchema>;

const byName = byUniqueColumn(secrets.name, "asc", "n", (row: { name: string }) => row.name);

function toInfo(row: { name: string; createdAt: Date; updatedAt: Date }): SecretInfo {
  return { name: row.name, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

/**
 * Sets `name` to `value` (encrypted with `key`): inserts it, or replaces the value of an existing
 * secret in one statement. `created` says which happened.
 */
export async function upsertSecret(
  db: Database,
  key: Buffer,
  organizationId: string,
  input: { name: string; value: string; actor: string },
): Promise<{ secret: SecretInfo; created: boolean }> {
  const ciphertext = encryptSecret(key, { organizationId, name: input.name }, input.value);
  const [row] = await db
    .insert(secrets)
    .values({ organizationId, name: input.name, ciphertext, createdBy: input.actor })
    .onConflictDoUpdate({
      target: [secrets.organizationId, secrets.name],
      set: { ciphertext, updatedAt: sql`now()` },
    })
    .returning({
      name: secrets.name,
      createdAt: secrets.createdAt,
      updatedAt: secrets.updatedAt,
      // xmax is 0 only on a row this statement inserted (not on one it updated).
      created: sql<boolean>`(xmax = 0)`,
    });
  return { secret: toInfo(row), created: row.created };
}

/** One page of the organization's secrets (names and dates), ordered by name. */
export async function listSecrets(db: Database, organizationId: string, page: PageRequest<SecretCursor>): Promise<Page<SecretInfo>> {
  const query = db.select({ name: secrets.name, createdAt: secrets.createdAt, updatedAt: secrets.updatedAt }).from(secrets).$dynamic();
  return keysetPage(query, { where: eq(secrets.organizationId, organizationId), order: byName, page, toItem: toInfo });
}

/** Deletes the secret; false when the organization has none by that name. */
export async function deleteSecret(db: Database, organizationId: string, name: string): Promise<boolean> {
  const deleted = await db
    .delete(secrets)
    .where(and(eq(secrets.organizationId, organizationId), eq(secrets.name, name)))
    .returning({ name: secrets.name });
  return deleted.length > 0;
}

/**
 * The decrypted values of `names` that exist in the organization, by name (missing names are
 * absent). For the runtime only: never return these from a route or log them. Throws
 * SecretDecryptionError when a stored value does not decrypt under `key`.
 */
export async function getSecretValues(
  db: Database,
  key: Buffer,
  organizationId: string,
  names: readonly string[],
): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  const wanted = [...new Set(names)];
  if (wanted.length === 0) return values;
  const rows = await db
    .select({ name: secrets.name, ciphertext: secrets.ciphertext })
    .from(secrets)
    .where(and(eq(secrets.organizationId, organizationId), inArray(secrets.name, wanted)));
  for (const row of rows) values.set(row.name, decryptSecret(key, { organizationId, name: row.name }, row.ciphertext));
  return values;
}
