// `{{ path }}` templates inside JSON params (docs/runs.md, "Templates and secrets").
// Resolution is one pass: text that came from a resolved value is never scanned again.
// Lookups read only own data properties of plain objects and arrays, so no template can reach a
// prototype, a getter or the server environment (there is no `env` root).

import { decodePunycodeLabel } from "./punycode";

export interface TemplateReference {
  raw: string;
  root: string;
  path: string[]; // excludes root
}

export interface TemplateScope {
  trigger: unknown;
  blocks: ReadonlyMap<string, unknown>; // block id → output
  vars: Readonly<Record<string, unknown>>;
  secret?: (name: string) => string | undefined; // undefined → missing
}

/** Secret names: an uppercase letter, then up to 63 uppercase letters, digits or `_`. Declared
 *  here so validation can refuse `{{secrets.x}}` that no secret could ever be named. */
export const SECRET_NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

const TEMPLATE = /\{\{([^{}]*)\}\}/g;
const WHOLE_TEMPLATE = /^\{\{([^{}]*)\}\}$/;
const NAME = /^[\p{L}_$][\p{L}\p{N}_$-]*/u;
const INDEX = /^\d+/;
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);
const REDACTED = "[REDACTED]";
/** A punycode host label (at most 63 characters, as DNS allows). */
const PUNYCODE_LABEL = /\bxn--[a-z0-9-]{1,59}/gi;

/** Marks a path that does not resolve; becomes null (whole value) or "" (inside a string). */
const MISSING: unique symbol = Symbol("missing");
type Lookup = unknown | typeof MISSING;

/** Parses the text between the braces into root and path, or null when it is malformed. */
function parsePath(inner: string): { root: string; path: string[] } | null {
  let rest = inner.trim();
  const root = NAME.exec(rest);
  if (!root) return null;
  rest = rest.slice(root[0].length);
  const path: string[] = [];
  while (rest.length > 0) {
    if (rest[0] === ".") {
      const segment = NAME.exec(rest.slice(1)) ?? INDEX.exec(rest.slice(1));
      if (!segment) return null;
      path.push(segment[0]);
      rest = rest.slice(1 + segment[0].length);
    } else if (rest[0] === "[") {
      const index = /^\[(\d+)\]/.exec(rest);
      if (!index) return null;
      path.push(index[1]);
      rest = rest.slice(index[0].length);
    } else {
      return null;
    }
  }
  return { root: root[0], path };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** One step down: only own data properties of arrays (by index) and plain objects. */
function child(container: unknown, segment: string): Lookup {
  if (FORBIDDEN_SEGMENTS.has(segment)) return MISSING;
  if (Array.isArray(container)) {
    if (!/^\d+$/.test(segment)) return MISSING;
    const index = Number(segment);
    if (!Number.isSafeInteger(index) || index >= container.length) return MISSING;
  } else if (!isPlainObject(container)) {
    return MISSING;
  }
  const descriptor = Object.getOwnPropertyDescriptor(container, segment);
  return descriptor && "value" in descriptor ? descriptor.value : MISSING;
}

function lookup(root: string, path: readonly string[], scope: TemplateScope, secretsUsed: string[]): Lookup {
  if (FORBIDDEN_SEGMENTS.has(root)) return MISSING;
  let current: Lookup;
  if (root === "secrets") {
    // Exactly one segment, the secret's name: secrets cannot be listed or taken apart.
    if (path.length !== 1 || FORBIDDEN_SEGMENTS.has(path[0])) return MISSING;
    const value = scope.secret?.(path[0]);
    if (typeof value !== "string") return MISSING;
    if (value.length > 0 && !secretsUsed.includes(value)) secretsUsed.push(value);
    return value;
  }
  if (root === "trigger") current = scope.trigger;
  else if (root === "vars") current = isPlainObject(scope.vars) ? scope.vars : MISSING;
  else current = scope.blocks.has(root) ? scope.blocks.get(root) : MISSING;
  for (const segment of path) {
    if (current === MISSING) break;
    current = child(current, segment);
  }
  return current;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Plain assignment to "__proto__" would change the prototype instead of adding a key.
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Copies a JSON value iteratively (no depth limit), passing every string through `onString`.
 *  Arrays and plain objects are copied; other values are returned as they are. */
function mapStrings(value: unknown, onString: (text: string) => unknown): unknown {
  const convert = (item: unknown): unknown => (typeof item === "string" ? onString(item) : item);
  if (!Array.isArray(value) && !isPlainObject(value)) return convert(value);
  const copies = new Map<object, unknown[] | Record<string, unknown>>();
  const stack: object[] = []; // sources whose copy still has to be filled in
  const copyOf = (source: object): unknown[] | Record<string, unknown> => {
    let copy = copies.get(source);
    if (!copy) {
      copy = Array.isArray(source) ? [] : {};
      copies.set(source, copy);
      stack.push(source);
    }
    return copy;
  };
  const result = copyOf(value);
  while (stack.length > 0) {
    const source = stack.pop() as object;
    const target = copies.get(source) as unknown[] | Record<string, unknown>;
    if (Array.isArray(source)) {
      const list = target as unknown[];
      for (let i = 0; i < source.length; i++) {
        const item: unknown = source[i];
        list.push(Array.isArray(item) || isPlainObject(item) ? copyOf(item) : convert(item));
      }
    } else {
      const record = source as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const item = record[key];
        const copied = Array.isArray(item) || isPlainObject(item) ? copyOf(item) : convert(item);
        setOwn(target as Record<string, unknown>, key, copied);
      }
    }
  }
  return result;
}

/** Visits every string of a JSON value in document order, iteratively. */
function forEachString(value: unknown, visit: (text: string) => void): void {
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") {
      visit(item);
    } else if (Array.isArray(item) || isPlainObject(item)) {
      if (seen.has(item)) continue;
      seen.add(item);
      const children = Array.isArray(item) ? item : Object.keys(item).map((key) => item[key]);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }
}

function stringify(value: Lookup): string {
  if (value === MISSING || value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") {
    try {
      return JSON.stringify(value) ?? "";
    } catch {
      return ""; // cyclic or BigInt-bearing values are not JSON; there is nothing sensible to show
    }
  }
  return String(value);
}

function resolveString(text: string, scope: TemplateScope, secretsUsed: string[]): unknown {
  const whole = WHOLE_TEMPLATE.exec(text);
  const parsedWhole = whole ? parsePath(whole[1]) : null;
  if (parsedWhole) {
    const value = lookup(parsedWhole.root, parsedWhole.path, scope, secretsUsed);
    // Copy so the result never aliases a block's output; the copy does not expand templates.
    return value === MISSING || value === undefined ? null : mapStrings(value, (s) => s);
  }
  return text.replace(TEMPLATE, (raw: string, inner: string) => {
    const parsed = parsePath(inner);
    return parsed ? stringify(lookup(parsed.root, parsed.path, scope, secretsUsed)) : raw;
  });
}

/** Every template reference in a JSON value (deep: strings inside arrays/objects), in document order.
 *  Malformed templates (e.g. "{{ }}", "{{a..b}}") are not references and are left as literal text. */
export function findReferences(value: unknown): TemplateReference[] {
  const references: TemplateReference[] = [];
  forEachString(value, (text) => {
    for (const match of text.matchAll(TEMPLATE)) {
      const parsed = parsePath(match[1]);
      if (parsed) references.push({ raw: match[0], root: parsed.root, path: parsed.path });
    }
  });
  return references;
}

/** Resolves every template in value, deeply, in one pass, and returns a new value (input untouched).
 *  An exact "{{…}}" string keeps the referenced type (missing → null); inside text it is stringified (missing → ""). */
export function resolveTemplates(value: unknown, scope: TemplateScope): unknown {
  return resolveTemplatesWithSecrets(value, scope).value;
}

/** Like resolveTemplates, and also returns the (non-empty) secret values used, so callers can redact them. */
export function resolveTemplatesWithSecrets(
  value: unknown,
  scope: TemplateScope,
): { value: unknown; secretsUsed: string[] } {
  const secretsUsed: string[] = [];
  const resolved = mapStrings(value, (text) => resolveString(text, scope, secretsUsed));
  return { value: resolved, secretsUsed };
}

/** A string's UTF-8 bytes in standard base64 (btoa only takes Latin-1). */
function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const toBase64Url = (text: string) => text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/**
 * The base64 text a secret becomes wherever it sits inside an encoded string (`user:secret` in a
 * Basic auth header, a token in a JWT…): base64 maps 3-byte groups to 4 characters, so for each
 * of the three offsets the value can start at, the groups made only of its bytes encode the same
 * way whatever surrounds them. Too short to be told apart from other text (< 4 characters): none.
 */
function base64Cores(value: string): string[] {
  const bytes = new TextEncoder().encode(value);
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const start = offset === 0 ? 0 : 3;
    const end = Math.floor(padded.length / 3) * 3;
    if (end - start < 3) continue;
    const core = base64Of(padded.subarray(start, end));
    if (core.length >= 4) cores.push(core, toBase64Url(core));
  }
  return cores;
}

/** The host a URL's normalisation makes of value (lowercase, IDNA/punycode), if it is a valid host. */
function hostFormOf(value: string): string | null {
  try {
    return new URL(`http://${value}`).hostname;
  } catch {
    return null;
  }
}

/**
 * Every form a secret value can take on its way out of a block: as is, lower- and uppercased, as a
 * URL host (IDNA), URL-encoded (component, URI, form), JSON-escaped, and in base64/base64url,
 * alone or inside a longer encoded string. Matching is case-insensitive on top of these.
 */
function secretForms(value: string): string[] {
  const forms = new Set<string>([value, value.toLowerCase(), value.toUpperCase()]);
  const host = hostFormOf(value);
  if (host) forms.add(host);
  const add = (encode: () => string) => {
    try {
      forms.add(encode());
    } catch {
      // A lone surrogate cannot be URL-encoded: that form cannot occur either.
    }
  };
  add(() => encodeURIComponent(value));
  add(() => encodeURI(value));
  // What a URL parser makes of it in a path or a query, when it stays whole there: unlike
  // encodeURI it leaves "%" alone, turns "\\" into "/" in a path and encodes "'" in a query.
  // A form shorter than the value (dot segments resolved, tabs dropped) is not kept: it could be
  // any short text.
  const addWhole = (encode: () => string) => add(() => (encode().length >= value.length ? encode() : ""));
  if (!/[?#]/.test(value)) addWhole(() => new URL(`http://h/${value}`).pathname.slice(1));
  if (!value.includes("#")) addWhole(() => new URL(`http://h/?${value}`).search.slice(1));
  // application/x-www-form-urlencoded (URLSearchParams): spaces as "+", and !'()~ escaped too.
  add(() => encodeURIComponent(value).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+"));
  add(() => JSON.stringify(value).slice(1, -1));
  add(() => JSON.stringify(value.toLowerCase()).slice(1, -1));
  const whole = base64Of(new TextEncoder().encode(value));
  forms.add(whole);
  forms.add(toBase64Url(whole));
  for (const core of base64Cores(value)) forms.add(core);
  forms.delete("");
  return [...forms];
}

/** Returns a copy of value where every occurrence of each secret (length ≥ 1) inside string values,
 *  in any of its `secretForms` and in any letter case, is replaced with "[REDACTED]". Object keys
 *  are left as they are. */
export function redactSecrets(value: unknown, secretValues: readonly string[]): unknown {
  return secretRedactor(secretValues)(value);
}

/** `redactSecrets` with the secrets' forms and pattern built once, for redacting several values. */
export function secretRedactor(secretValues: readonly string[]): (value: unknown) => unknown {
  const secrets = [...new Set(secretValues.filter((s) => typeof s === "string" && s.length > 0).flatMap(secretForms))];
  if (secrets.length === 0) return (value) => mapStrings(value, (s) => s);
  // Longest first and in one pass, so a secret that contains another is hidden whole.
  secrets.sort((a, b) => b.length - a.length);
  const source = secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|");
  const pattern = new RegExp(source, "giu");
  const within = new RegExp(source, "iu");
  // A secret that is only part of a host label is in no fixed form once the label is punycode.
  const hidesSecret = (label: string) => within.test(decodePunycodeLabel(label) ?? "");
  return (value) =>
    mapStrings(value, (text) => text.replace(PUNYCODE_LABEL, (label) => (hidesSecret(label) ? REDACTED : label)).replace(pattern, REDACTED));
}

/** True when value is exactly one `{{secrets.NAME}}` template (any name: whether it is a valid one is
 *  `unresolved_reference`'s concern), the only value a secret-only param takes. */
export function isSecretTemplate(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const whole = WHOLE_TEMPLATE.exec(value);
  const parsed = whole ? parsePath(whole[1]) : null;
  return parsed !== null && parsed.root === "secrets" && parsed.path.length === 1;
}

/** True when value contains at least one well-formed template: a string directly, or any string
 *  inside an array or object (so validators can tell templated params apart). */
export function hasTemplate(value: unknown): boolean {
  let found = false;
  forEachString(value, (text) => {
    if (found) return;
    for (const match of text.matchAll(TEMPLATE)) {
      if (parsePath(match[1])) {
        found = true;
        return;
      }
    }
  });
  return found;
}
