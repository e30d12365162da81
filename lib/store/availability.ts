/**
 * Whether a database error means "the database is unavailable, try again later" rather than a
 * bug or bad data: the doors answer it with 503 (`database_unavailable`, or `run_not_started`
 * for a run start), never a 500 (docs/architecture.md, "Errors and lists").
 */

// Connection-level failures of postgres.js and Node's sockets: the database was not reached or went away.
const UNAVAILABLE_CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function isUnavailableCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  if (UNAVAILABLE_CONNECTION_CODES.has(code)) return true;
  return /^(08|53)/.test(code) || /^57P0/.test(code) || code === "57014" || code === "40001" || code === "40P01";
}

/**
 * True when trying again later may succeed: the connection failed, or Postgres answered with a
 * SQLSTATE of availability — class 08 (connection exception), 53 (insufficient resources), 57P0x
 * (shutdown, cannot connect now), 57014 (statement timeout), 40001 / 40P01 (serialization
 * failure, deadlock). Looks through `cause` chains and AggregateErrors, because drizzle and
 * better-auth wrap the driver's error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 20) {
    const current = queue.shift();
    if (current === null || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    if (isUnavailableCode(errorCode(current))) return true;
    const { cause, errors } = current as { cause?: unknown; errors?: unknown };
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return false;
}

/** SQLSTATE class 22 (data exception): the value itself was refused, so a retry cannot help. */
export function isBadData(error: unknown): boolean {
  return /^22/.test(errorCode(error) ?? "");
}
