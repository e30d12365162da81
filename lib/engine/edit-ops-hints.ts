/**
 * Hint text for skipped ops: nearest names ("did you mean"), id suggestions and short lists, so a
 * skip can go straight back to an LLM and be fixed in one more call.
 */
import { FORBIDDEN_KEYS, isValidBlockId } from "./model";

/**
 * Edit distance counting a swap of two neighbours as one edit ("nmae" → "name"), capped: returns
 * `cap + 1` as soon as the distance is known to exceed `cap`.
 */
function distance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let before = new Array<number>(b.length + 1);
  let prev = new Array<number>(b.length + 1);
  let curr = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    let rowMin = curr[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      curr[j] = Math.min(prev[j] + 1, curr[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        curr[j] = Math.min(curr[j], before[j - 2] + 1);
      }
      if (curr[j] < rowMin) rowMin = curr[j];
    }
    // A row can end above the cap while a swap reaching into the next row still comes back under it,
    // so stop only when two rows in a row are over it.
    if (rowMin > cap && i > 1 && Math.min(...prev) > cap) return cap + 1;
    [before, prev, curr] = [prev, curr, before];
  }
  return prev[b.length];
}

/** Candidates close to `query` (case-insensitive edit distance, or one containing the other), nearest first. */
export function nearestNames(query: string, candidates: Iterable<string>, limit = 5): string[] {
  const q = query.slice(0, 80).toLowerCase();
  const cap = Math.max(1, Math.floor(q.length / 3));
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const n = name.toLowerCase();
    let score = distance(q, n, cap);
    if (score > cap && q.length >= 3 && (n.includes(q) || q.includes(n))) score = cap;
    if (score <= cap) scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score);
  return scored.slice(0, limit).map((s) => s.name);
}

/** All candidates with the nearest ones first (for short lists such as connector types). */
export function nearestFirst(query: string, candidates: readonly string[]): string[] {
  const near = nearestNames(query, candidates, candidates.length);
  const rest = candidates.filter((c) => !near.includes(c));
  return [...near, ...rest];
}

/** A list of names for a hint: at most `max`, then "… and N more". */
export function listNames(names: readonly string[], max = 20): string {
  if (names.length === 0) return "(none)";
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown} … and ${names.length - max} more` : shown;
}

/** A valid block id derived from an invalid one ("my block" → "my_block"); never a taken id. */
export function suggestBlockId(raw: string, taken: (id: string) => boolean): string {
  let id = raw
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .replace(/^[^A-Za-z]+/, "");
  if (id === "" || FORBIDDEN_KEYS.has(id)) id = `block_${id}`.replace(/_+$/, "");
  id = id.slice(0, 64);
  return freeBlockId(isValidBlockId(id) ? id : "block", taken);
}

/** `base` if it is free, else `base_2`, `base_3`… (kept within 64 characters). */
export function freeBlockId(base: string, taken: (id: string) => boolean): string {
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `_${n}`;
    const candidate = base.slice(0, 64 - suffix.length) + suffix;
    if (!taken(candidate)) return candidate;
  }
}

/** A block id or other caller text, shortened for reasons and summaries. */
export function shortText(text: string, max = 64): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
