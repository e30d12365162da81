/**
 * What a JSON value must satisfy before anything stores or serialises it (README, "Limits"): no
 * nesting deeper than MAX_JSON_DEPTH, and no string (value or key) that Postgres cannot hold —
 * one with a NUL character or a lone UTF-16 surrogate. Both come in through `\u0000` / `\ud800`
 * escapes of otherwise valid JSON, and without this check reach Postgres (jsonb and text refuse
 * them) or a recursive JSON.stringify (which overflows the stack on deep values).
 */

/** Containers (objects and arrays) nested deeper than this are refused. */
export const MAX_JSON_DEPTH = 64;

export interface JsonProblem {
  /** Where it is: object keys and array indexes from the top, as strings. */
  path: string[];
  code: "too_deep" | "nul_character" | "lone_surrogate";
  message: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problem with a string that Postgres could not store, or null. */
export function stringProblem(text: string): JsonProblem["code"] | null {
  if (text.includes("\u0000")) return "nul_character";
  if (LONE_SURROGATE.test(text)) return "lone_surrogate";
  return null;
}

const MESSAGES: Record<JsonProblem["code"], string> = {
  too_deep: `JSON is nested more than ${MAX_JSON_DEPTH} levels deep.`,
  nul_character: "Strings may not contain the NUL character (\\u0000).",
  lone_surrogate: "Strings may not contain a lone UTF-16 surrogate (such as \\ud800 without its pair).",
};

interface Node {
  value: unknown;
  /** Containers around this value. */
  depth: number;
  parent: Node | null;
  key: string;
}

function pathOf(node: Node): string[] {
  const path: string[] = [];
  for (let at: Node | null = node; at?.parent; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * The first problem found in `value` (as JSON.parse returns it), or null. Walks with an explicit
 * stack, so a value nested 100,000 levels deep is reported rather than overflowing the call stack.
 */
export function findJsonProblem(value: unknown, maxDepth: number = MAX_JSON_DEPTH): JsonProblem | null {
  const stack: Node[] = [{ value, depth: 0, parent: null, key: "" }];
  const report = (node: Node, code: JsonProblem["code"], key?: string): JsonProblem => {
    const path = pathOf(node);
    if (key !== undefined) path.push(key);
    return { path, code, message: MESSAGES[code] };
  };
  while (stack.length > 0) {
    const node = stack.pop()!;
    const current = node.value;
    if (typeof current === "string") {
      const code = stringProblem(current);
      if (code) return report(node, code);
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (node.depth >= maxDepth) return report(node, "too_deep");
    const entries: [string, unknown][] = Array.isArray(current)
      ? current.map((item, index) => [String(index), item])
      : Object.entries(current);
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, item] = entries[index];
      const keyCode = stringProblem(key);
      if (keyCode) return report(node, keyCode, key);
      stack.push({ value: item, depth: node.depth + 1, parent: node, key });
    }
  }
  return null;
}
