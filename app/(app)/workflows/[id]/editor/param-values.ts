/**
 * From what a person typed to what a param (or a variable) holds, for each widget of the block
 * panel. Pure: each function returns the value to send (`null` removes the param) or why nothing
 * is sent yet.
 */
import { FORBIDDEN_KEYS, isPlainObject } from "@/lib/engine/model";
import { containsTemplate, isWholeTemplate } from "./template-text";

/** What a draft means: a value to send (null: remove the param), or an error shown instead of sending. */
export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

const ok = (value: unknown): Parsed => ({ ok: true, value });
const fail = (error: string): Parsed => ({ ok: false, error });

/** A param value as one line of text: strings as they are, anything else as JSON, absent as "". */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** JSON.parse's complaint without the echo of the whole text V8 appends (`, "…" is not valid JSON`). */
function jsonReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, ".*" is not valid JSON$/s, "").replace(/\.$/, "");
}

/** A text field: "" removes the param. */
export function parseText(text: string): Parsed {
  return ok(text === "" ? null : text);
}

/** A number field: a number, or a template (checked once resolved, at run time); "" removes the param. */
export function parseNumber(text: string): Parsed {
  const trimmed = text.trim();
  if (trimmed === "") return ok(null);
  if (containsTemplate(trimmed)) return ok(trimmed);
  const value = Number(trimmed);
  if (!Number.isFinite(value) || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) return fail("Enter a number, or a {{template}} that gives one.");
  return ok(value);
}

/** A JSON param as editor text: pretty JSON, or the string itself for code kept as text and for one whole template. */
export function jsonTextOf(value: unknown, keepsText: boolean): string {
  if (value === undefined) return "";
  if (typeof value === "string" && (keepsText || isWholeTemplate(value))) return value;
  return JSON.stringify(value, null, 2);
}

/**
 * A JSON field: the parsed value, or the text itself when the param holds a string (`keepsText`).
 * A single template (`{{trigger.body}}`) is kept as it is: it resolves to the value, whatever its type.
 */
export function parseJson(text: string, keepsText: boolean): Parsed {
  if (text.trim() === "") return ok(null);
  if (isWholeTemplate(text)) return ok(text.trim());
  try {
    const value: unknown = JSON.parse(text);
    return ok(keepsText ? text : value);
  } catch (error) {
    return fail(`Not valid JSON yet, so not saved: ${jsonReason(error)}. Text goes in "quotes"; a whole value may be one {{template}}.`);
  }
}

/** One name/value row of a key_value field; `original` keeps a non-string value the row was loaded with. */
export interface KeyValueRow {
  id: number;
  name: string;
  value: string;
  original?: unknown;
}

let nextRowId = 1;

/** Rows for a record (in its key order); a value that is not a string keeps its type until edited. */
export function rowsOf(value: unknown): KeyValueRow[] {
  if (!isPlainObject(value)) return [];
  return Object.entries(value).map(([name, v]) => ({ id: nextRowId++, name, value: textOf(v), ...(typeof v === "string" ? {} : { original: v }) }));
}

/** An empty row, for "Add". */
export function emptyRow(): KeyValueRow {
  return { id: nextRowId++, name: "", value: "" };
}

/** The record of the named rows (unnamed rows are drafts, left out); none → remove the param. */
export function parseRows(rows: readonly KeyValueRow[]): Parsed {
  const record: Record<string, unknown> = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (name === "") continue;
    if (FORBIDDEN_KEYS.has(name)) return fail(`"${name}" cannot be used as a name.`);
    if (Object.hasOwn(record, name)) return fail(`Two rows are named "${name}"; rename one.`);
    const unchanged = row.original !== undefined && row.value === textOf(row.original);
    Object.defineProperty(record, name, { value: unchanged ? row.original : row.value, enumerable: true, writable: true, configurable: true });
  }
  return ok(Object.keys(record).length === 0 ? null : record);
}

/**
 * What changed from `before` to `after` as a patch: changed and new keys with their value,
 * removed keys as null. Values compare as JSON.
 */
export function paramsDiff(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const diff: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => Object.defineProperty(diff, key, { value, enumerable: true, writable: true, configurable: true });
  for (const key of Object.keys(after)) {
    if (!Object.hasOwn(before, key) || JSON.stringify(before[key]) !== JSON.stringify(after[key])) set(key, after[key]);
  }
  for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) set(key, null);
  return diff;
}

/** The JSON-mode editor's text as a params object, or why it is not one. */
export function parseParamsObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Not valid JSON yet, so not saved: ${jsonReason(error)}.` };
  }
  if (!isPlainObject(value)) return { ok: false, error: "Params are one JSON object: { \"name\": value, … }." };
  const forbidden = Object.keys(value).find((key) => FORBIDDEN_KEYS.has(key));
  if (forbidden) return { ok: false, error: `"${forbidden}" cannot be a param name.` };
  return { ok: true, value };
}

/** A value as the text of its row: a string as it is unless it would read back as JSON, anything else as JSON. */
export function variableText(value: unknown): string {
  if (typeof value !== "string") return JSON.stringify(value) ?? "";
  try {
    JSON.parse(value);
    return JSON.stringify(value); // "3" the string stays a string: shown quoted
  } catch {
    return value;
  }
}

/** A row's text as a value: JSON when it parses, else the text. `null` stays text: a null in a change removes the variable. */
export function variableValue(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value === null ? text : value;
  } catch {
    return text;
  }
}
