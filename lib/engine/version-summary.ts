/**
 * The one-line `summary` of a history entry (docs/patch-endpoint.md, "History"): what a version's
 * ops did, for a person scanning the history panel ("added greet (greet), connected trg → greet,
 * moved 2 blocks"). The patch response's own `summary` (edit-ops-summary.ts) is for models and
 * reports skips and validation; this one describes only the ops that took effect.
 */
import type { EditOp } from "./ops";
import { shortText } from "./edit-ops-hints";

/** The longest summary returned; a longer one becomes counts ("added 40 blocks"), then is cut. */
export const MAX_VERSION_SUMMARY = 160;

const ID = 40;
const NAMES_SHOWN = 3;

type Kind = "add" | "remove" | "connect" | "disconnect" | "rename" | "params" | "enable" | "disable" | "retry" | "move" | "variables";

/** One phrase of the summary; ops of the same kind on the same subject share one. */
interface Phrase {
  kind: Kind;
  subject: string;
  /** Param or variable names, in first-seen order. */
  names: string[];
  /** Blocks moved (only for "move", which is one phrase for the whole version). */
  moved: Set<string>;
}

const COUNTED: Record<Kind, (n: number) => string> = {
  add: (n) => `added ${plural(n, "block")}`,
  remove: (n) => `removed ${plural(n, "block")}`,
  connect: (n) => `connected ${plural(n, "edge")}`,
  disconnect: (n) => `disconnected ${plural(n, "edge")}`,
  rename: (n) => `renamed ${plural(n, "block")}`,
  params: (n) => `set params of ${plural(n, "block")}`,
  enable: (n) => `enabled ${plural(n, "block")}`,
  disable: (n) => `disabled ${plural(n, "block")}`,
  retry: (n) => `changed retry of ${plural(n, "block")}`,
  move: (n) => `moved ${plural(n, "block")}`,
  variables: (n) => `set ${plural(n, "variable")}`,
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).map((name) => shortText(name, ID));
  return names.length > NAMES_SHOWN ? `${shown.join(", ")} +${names.length - NAMES_SHOWN}` : shown.join(", ");
}

function edgeText(op: { block_id: string; target_block_id: string; source_handle?: string }): string {
  const handle = op.source_handle === undefined ? "" : ` (${shortText(op.source_handle, ID)})`;
  return `${shortText(op.block_id, ID)}${handle} → ${shortText(op.target_block_id, ID)}`;
}

function detailed(phrase: Phrase): string {
  switch (phrase.kind) {
    case "add":
      return `added ${phrase.subject}`;
    case "remove":
      return `removed ${phrase.subject}`;
    case "connect":
      return `connected ${phrase.subject}`;
    case "disconnect":
      return `disconnected ${phrase.subject}`;
    case "rename":
      return `renamed ${phrase.subject}`;
    case "params":
      return `set params of ${phrase.subject}: ${nameList(phrase.names)}`;
    case "enable":
      return `enabled ${phrase.subject}`;
    case "disable":
      return `disabled ${phrase.subject}`;
    case "retry":
      return `changed retry of ${phrase.subject}`;
    case "move":
      return phrase.moved.size === 1 ? `moved ${phrase.subject}` : `moved ${plural(phrase.moved.size, "block")}`;
    case "variables":
      return `set variables: ${nameList(phrase.names)}`;
  }
}

/** The phrases of `ops`, in the order their first op came. */
function phrasesOf(ops: readonly EditOp[]): Phrase[] {
  const phrases = new Map<string, Phrase>();
  const phrase = (kind: Kind, subject: string): Phrase => {
    const key = kind === "move" || kind === "variables" ? kind : `${kind}\u0000${subject}`;
    let found = phrases.get(key);
    if (!found) phrases.set(key, (found = { kind, subject, names: [], moved: new Set() }));
    return found;
  };
  const addNames = (target: Phrase, names: readonly string[]) => {
    for (const name of names) if (!target.names.includes(name)) target.names.push(name);
  };
  for (const op of ops) {
    switch (op.operation_type) {
      case "add":
        phrase("add", `${shortText(op.block_id, ID)} (${shortText(op.type, ID)})`);
        break;
      case "remove":
      case "delete":
        phrase("remove", shortText(op.block_id, ID));
        break;
      case "connect":
        phrase("connect", edgeText(op));
        break;
      case "disconnect":
        phrase("disconnect", edgeText(op));
        break;
      case "set_variables":
        if (Object.keys(op.variables).length > 0) addNames(phrase("variables", ""), Object.keys(op.variables));
        break;
      case "update":
      case "edit": {
        const id = shortText(op.block_id, ID);
        if (op.name !== undefined) phrase("rename", id);
        if (op.params !== undefined && Object.keys(op.params).length > 0) addNames(phrase("params", id), Object.keys(op.params));
        if (op.enabled !== undefined) phrase(op.enabled === false ? "disable" : "enable", id);
        if (op.retry !== undefined) phrase("retry", id);
        if (op.position !== undefined) {
          const moves = phrase("move", id);
          moves.moved.add(op.block_id);
        }
        break;
      }
    }
  }
  return [...phrases.values()];
}

/** How many things a phrase counts for: blocks moved, variables set, else one block or edge. */
function weight(phrase: Phrase): number {
  if (phrase.kind === "move") return phrase.moved.size;
  if (phrase.kind === "variables") return phrase.names.length;
  return 1;
}

/** As many of `parts` as fit in `max` characters, joined by ", ", ending in "…" when some did not. */
function fit(parts: readonly string[], max: number): string {
  const whole = parts.join(", ");
  if (whole.length <= max) return whole;
  let text = "";
  for (const part of parts) {
    const next = text === "" ? part : `${text}, ${part}`;
    if (next.length + 3 > max) break;
    text = next;
  }
  return text === "" ? `${parts[0].slice(0, max - 1)}…` : `${text}, …`;
}

/**
 * One line saying what `ops` (a version's stored, normalized ops) did, at most
 * MAX_VERSION_SUMMARY characters: each change by name when that fits, else counts per kind of
 * change. "no changes" for no ops (a workflow created empty).
 */
export function summarizeVersionOps(ops: readonly EditOp[]): string {
  const phrases = phrasesOf(ops);
  if (phrases.length === 0) return "no changes";
  const details = phrases.map(detailed).join(", ");
  if (details.length <= MAX_VERSION_SUMMARY) return details;
  const counts = new Map<Kind, number>();
  for (const phrase of phrases) counts.set(phrase.kind, (counts.get(phrase.kind) ?? 0) + weight(phrase));
  return fit([...counts].map(([kind, n]) => COUNTED[kind](n)), MAX_VERSION_SUMMARY);
}
