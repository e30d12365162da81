/**
 * Text logic of template completion, shared by the plain inputs and CodeMirror: where an open
 * `{{` before the caret starts, which suggestions match what follows it, and the text after a pick.
 */
import type { TemplateSuggestion } from "./types";

/** The longest path worth completing; past it, `{{` is taken as text, not a template being typed. */
const MAX_QUERY = 120;
/** The rest of a template after the caret, up to its `}}` (a pick replaces it whole). */
const TEMPLATE_TAIL = /^[^{}\n]*\}\}/;

/** The `{{` the caret is inside (its index, and what is typed after it), or null when there is none. */
export function openTemplateAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const start = before.lastIndexOf("{{");
  if (start < 0) return null;
  const typed = before.slice(start + 2);
  if (/[{}\n]/.test(typed) || typed.length > MAX_QUERY) return null;
  return { start, query: typed.trim() };
}

const TYPED_PATH = /^[\p{L}_$][\p{L}\p{N}_$-]*(\.[\p{L}\p{N}_$-]+)+$/u;

/**
 * A path typed deeper than anything known, under a suggestion whose shape is open (`body` of a
 * webhook is `any` until a run shows it): offered as it is typed, so it can be picked.
 */
function typedPath(list: readonly TemplateSuggestion[], query: string): TemplateSuggestion | null {
  if (!TYPED_PATH.test(query) || list.some((s) => s.insert === query)) return null;
  const parent = list
    .filter((s) => query.startsWith(`${s.insert}.`))
    .sort((a, b) => b.insert.length - a.insert.length)[0];
  return parent ? { group: parent.group, insert: query, detail: `inside ${parent.insert}` } : null;
}

/** Suggestions containing `query` (any case): those starting with it first, in their order; a deeper path typed under a known one comes first. */
export function filterSuggestions(list: readonly TemplateSuggestion[], query: string): TemplateSuggestion[] {
  const typed = typedPath(list, query.trim());
  if (typed) return [typed, ...filterSuggestions(list, "").filter((s) => query.trim().startsWith(`${s.insert}.`))];
  const q = query.trim().toLowerCase();
  if (!q) return [...list];
  const starts: TemplateSuggestion[] = [];
  const contains: TemplateSuggestion[] = [];
  for (const suggestion of list) {
    const at = suggestion.insert.toLowerCase().indexOf(q);
    if (at === 0) starts.push(suggestion);
    else if (at > 0) contains.push(suggestion);
  }
  return [...starts, ...contains];
}

/**
 * `text` with `{{path}}` in place of the template typed from `start` to `caret` (and of the rest
 * of that template, when the caret was inside one), and the caret just after the new `}}`.
 */
export function insertTemplate(text: string, start: number, caret: number, path: string): { text: string; caret: number } {
  const tail = TEMPLATE_TAIL.exec(text.slice(caret));
  const end = caret + (tail ? tail[0].length : 0);
  const inserted = `{{${path}}}`;
  return { text: text.slice(0, start) + inserted + text.slice(end), caret: start + inserted.length };
}

/** The length of the rest of a template after `position` in `after` (0 when none): what a pick replaces. */
export function templateTailLength(after: string): number {
  return TEMPLATE_TAIL.exec(after)?.[0].length ?? 0;
}

/** True when `text` is exactly one template, e.g. `{{trigger.body}}` (it then keeps the value's type). */
export function isWholeTemplate(text: string): boolean {
  return /^\{\{[^{}]*\}\}$/.test(text.trim());
}

/** True when `text` contains a template. */
export function containsTemplate(text: string): boolean {
  return /\{\{[^{}]*\}\}/.test(text);
}
