/**
 * JSON normalisation shared by every layer that stores a value: what survives a JSON round trip.
 */

/** `value` as it would be stored as JSON: undefined becomes null, Dates become strings, functions vanish. */
export function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}
