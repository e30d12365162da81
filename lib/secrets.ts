/**
 * Organization secrets at rest (docs/architecture.md, "Tenancy and auth"): AES-256-GCM with a 32-byte key from the
 * environment, a random 12-byte IV per value, and `<organizationId>:<name>` as additional
 * authenticated data, so a ciphertext copied to another organization or name does not decrypt.
 * Stored form: base64 of iv (12 bytes) ‖ auth tag (16 bytes) ‖ ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export { SECRET_NAME_PATTERN } from "@/lib/engine/templates";

/** The largest secret value, in UTF-8 bytes (64 KiB). */
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Where a secret lives; authenticated with its ciphertext. */
export interface SecretBinding {
  organizationId: string;
  name: string;
}

/** A ciphertext that does not decrypt: tampered, truncated, under another key, or bound elsewhere. */
export class SecretDecryptionError extends Error {
  constructor(binding: SecretBinding) {
    // Names the secret, never its content.
    super(`Secret ${binding.name} of organization ${binding.organizationId} could not be decrypted.`);
    this.name = "SecretDecryptionError";
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`The secrets key must be ${KEY_BYTES} bytes, got ${key.length}.`);
}

function aad(binding: SecretBinding): Buffer {
  return Buffer.from(`${binding.organizationId}:${binding.name}`, "utf8");
}

/** Encrypts `value` for `binding`; returns the stored form. Throws when the key is not 32 bytes. */
export function encryptSecret(key: Buffer, binding: SecretBinding, value: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(binding));
  const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

/**
 * Decrypts a stored value for `binding`. Throws SecretDecryptionError when it was tampered with,
 * encrypted under another key, or bound to another organization or name.
 */
export function decryptSecret(key: Buffer, binding: SecretBinding, stored: string): string {
  checkKey(key);
  const raw = Buffer.from(stored, "base64");
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretDecryptionError(binding);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(binding));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError(binding);
  }
}
