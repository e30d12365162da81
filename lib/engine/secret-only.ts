/**
 * Secret-only params (docs/connectors.md, "Secret-only params"): a field tagged
 * `.meta({ secretOnly: true, … })` takes exactly one `{{secrets.NAME}}` template and nothing else,
 * so a credential is never stored in a workflow as plain text. The tag may sit on a top-level
 * param or on a field inside an object param (through unions and optional wrappers: http_request's
 * `auth.token`). The patch endpoint skips an op that would store anything else there, the
 * validator flags a stored definition that holds it, and the runtime refuses to run such a block;
 * all three read the paths from here and never echo the refused value.
 */
import { z } from "zod";
import type { AnyConnector } from "./connector";
import { cloneJson, isPlainObject, setOwn } from "./model";
import { hasTemplate, isSecretTemplate, SECRET_NAME_PATTERN } from "./templates";

/** A secret-only field: where it sits in a block's params, and the template to suggest for it. */
export interface SecretOnlyField {
  /** Param name, then field names inside it (`["auth", "token"]`). */
  path: readonly string[];
  /** `{{secrets.NAME}}` offered in hints: the field's placeholder when it is one, else from its name. */
  suggestion: string;
}

/** A secret-only field of a block's params that holds something other than one `{{secrets.NAME}}`. */
export interface SecretOnlyViolation {
  path: readonly string[];
  /** `literal`: the field holds a value. `template`: a param on the way to it is a template, so the field would come from elsewhere. */
  kind: "literal" | "template";
  /** The field's suggested template (only for `literal`). */
  suggestion?: string;
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"]);

function metaOf(field: z.ZodType): Record<string, unknown> | undefined {
  return field.meta() as Record<string, unknown> | undefined;
}

/** Whether this field, or a wrapper of it, carries `secretOnly: true`. */
function taggedSecretOnly(field: z.ZodType): boolean {
  let current = field;
  for (let depth = 0; depth < 16; depth++) {
    if (metaOf(current)?.secretOnly === true) return true;
    const def = current._zod.def as { type: string; innerType?: z.ZodType };
    if (!WRAPPERS.has(def.type) || !def.innerType) return false;
    current = def.innerType;
  }
  return false;
}

/** The first `placeholder` of a ui hint on the field or its wrappers. */
function placeholderOf(field: z.ZodType): string | undefined {
  let current = field;
  for (let depth = 0; depth < 16; depth++) {
    const ui = metaOf(current)?.ui as { placeholder?: unknown } | undefined;
    if (typeof ui?.placeholder === "string") return ui.placeholder;
    const def = current._zod.def as { type: string; innerType?: z.ZodType };
    if (!WRAPPERS.has(def.type) || !def.innerType) return undefined;
    current = def.innerType;
  }
  return undefined;
}

function suggestionFor(path: readonly string[], field: z.ZodType): string {
  const placeholder = placeholderOf(field);
  if (placeholder !== undefined && isSecretTemplate(placeholder)) return placeholder;
  const name = path[path.length - 1].toUpperCase().replace(/[^A-Z0-9_]/g, "_").replace(/^[^A-Z]+/, "");
  return `{{secrets.${SECRET_NAME_PATTERN.test(name) ? name : "SECRET"}}}`;
}

/**
 * Walks one param's schema for secret-only tags: through wrappers, objects and unions (the paths of
 * every option are merged). A tag anywhere else (inside an array, a record, a pipe) could not be
 * checked, so it throws: `createRegistry` calls this at start-up.
 */
function collect(field: z.ZodType, path: string[], out: Map<string, SecretOnlyField>, where: string, addressable = true): void {
  if (taggedSecretOnly(field)) {
    if (!addressable) throw new Error(`${where}: secretOnly field ${path.join(".")} sits inside an array, record or pipe, where it cannot be checked`);
    const key = path.join(".");
    if (!out.has(key)) out.set(key, { path: [...path], suggestion: suggestionFor(path, field) });
    return;
  }
  const def = field._zod.def as {
    type: string;
    innerType?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    options?: z.ZodType[];
    element?: z.ZodType;
    valueType?: z.ZodType;
    items?: z.ZodType[];
    in?: z.ZodType;
    out?: z.ZodType;
  };
  if (WRAPPERS.has(def.type) && def.innerType) return collect(def.innerType, path, out, where, addressable);
  if (def.type === "object" && def.shape) {
    for (const [name, child] of Object.entries(def.shape)) collect(child, [...path, name], out, where, addressable);
    return;
  }
  if (def.type === "union" && def.options) {
    for (const option of def.options) collect(option, path, out, where, addressable);
    return;
  }
  // Not addressable from here on: look further only to refuse a tag placed there.
  const inner = [def.element, def.valueType, def.in, def.out, ...(def.items ?? [])].filter((c): c is z.ZodType => c !== undefined);
  for (const child of inner) collect(child, [...path, "*"], out, where, false);
}

/**
 * Every secret-only field of a params object. Throws when a tag is misplaced: on a field that is
 * not a string, that takes no templates, that is hidden, whose editor hint is not a `secret`
 * widget, or inside an array or record.
 */
export function declaredSecretOnlyFields(type: string, params: z.ZodObject): SecretOnlyField[] {
  const found = new Map<string, SecretOnlyField>();
  for (const [name, field] of Object.entries(params.shape as Record<string, z.ZodType>)) {
    collect(field, [name], found, `connector "${type}" param "${name}"`);
  }
  for (const { path } of found.values()) checkTaggedField(type, params, path);
  return [...found.values()];
}

/** The schemas at `path` (every union option that has it), through wrappers. */
function fieldsAt(root: z.ZodType, path: readonly string[]): z.ZodType[] {
  let current: z.ZodType[] = [root];
  for (const segment of path) {
    const next: z.ZodType[] = [];
    const visit = (field: z.ZodType): void => {
      const def = field._zod.def as { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; options?: z.ZodType[] };
      if (WRAPPERS.has(def.type) && def.innerType && !taggedSecretOnly(field)) return visit(def.innerType);
      if (def.type === "object" && def.shape && Object.hasOwn(def.shape, segment)) next.push(def.shape[segment]);
      if (def.type === "union" && def.options) def.options.forEach(visit);
    };
    current.forEach(visit);
    current = next;
  }
  return current;
}

function checkTaggedField(type: string, params: z.ZodObject, path: readonly string[]): void {
  const where = `connector "${type}" param "${path.join(".")}"`;
  for (const field of fieldsAt(params, path)) {
    let inner = field;
    const metas: Record<string, unknown>[] = [];
    for (let depth = 0; depth < 16; depth++) {
      const meta = metaOf(inner);
      if (meta) metas.push(meta);
      const def = inner._zod.def as { type: string; innerType?: z.ZodType };
      if (!WRAPPERS.has(def.type) || !def.innerType) break;
      inner = def.innerType;
    }
    if (!(inner instanceof z.ZodString)) throw new Error(`${where}: a secretOnly field must be a string`);
    if (metas.some((m) => m.templates === false)) throw new Error(`${where}: a secretOnly field takes a {{secrets.NAME}} template, so it cannot be templates: false`);
    if (metas.some((m) => m.visibility === "hidden")) throw new Error(`${where}: a secretOnly field cannot be hidden (hidden params are the operator's)`);
    const hint = metas.map((m) => m.ui as { widget?: unknown } | undefined).find((ui) => ui !== undefined);
    if (path.length === 1 && hint?.widget !== "secret") throw new Error(`${where}: a secretOnly param needs ui({ widget: "secret", … }) so the editor masks it`);
    if (hint !== undefined && hint.widget !== "secret") throw new Error(`${where}: a secretOnly field's editor hint must be the secret widget`);
  }
}

// A connector's params never change, and every op, validated block and attempt asks.
const fieldsOf = new WeakMap<AnyConnector, readonly SecretOnlyField[]>();

/** The secret-only fields of a connector (computed once per connector). */
export function secretOnlyFields(connector: AnyConnector): readonly SecretOnlyField[] {
  let fields = fieldsOf.get(connector);
  if (!fields) {
    fields = declaredSecretOnlyFields(connector.type, connector.params);
    fieldsOf.set(connector, fields);
  }
  return fields;
}

/**
 * The secret-only fields of `params` that hold something other than one `{{secrets.NAME}}`
 * template (absent fields, and `null`, which removes a param in an update, are fine). Checked on
 * the params as written, before templates are resolved.
 */
export function secretOnlyViolations(connector: AnyConnector, params: Record<string, unknown>): SecretOnlyViolation[] {
  const violations: SecretOnlyViolation[] = [];
  const reported = new Set<string>();
  for (const field of secretOnlyFields(connector)) {
    let current: unknown = params;
    for (let i = 0; i < field.path.length; i++) {
      const segment = field.path[i];
      if (!isPlainObject(current) || !Object.hasOwn(current, segment)) {
        current = undefined;
        break;
      }
      current = current[segment];
      const last = i === field.path.length - 1;
      if (!last && typeof current === "string" && hasTemplate(current)) {
        // `auth: "{{trigger.auth}}"`: the token inside would come from the template, not a secret.
        const prefix = field.path.slice(0, i + 1);
        if (!reported.has(prefix.join("."))) violations.push({ path: prefix, kind: "template" });
        reported.add(prefix.join("."));
        current = undefined;
        break;
      }
    }
    if (current === undefined || current === null || isSecretTemplate(current)) continue;
    violations.push({ path: field.path, kind: "literal", suggestion: field.suggestion });
  }
  return violations;
}

/** A copy of `params` with each violation's value replaced by `replacement(violation)` (kept when it gives undefined). */
function replaced(params: Record<string, unknown>, violations: readonly SecretOnlyViolation[], replacement: (v: SecretOnlyViolation) => string | undefined): Record<string, unknown> {
  const copy = cloneJson(params) as Record<string, unknown>;
  for (const violation of violations) {
    const value = replacement(violation);
    if (value === undefined) continue;
    let target: Record<string, unknown> = copy;
    for (const segment of violation.path.slice(0, -1)) target = target[segment] as Record<string, unknown>;
    setOwn(target, violation.path[violation.path.length - 1], value);
  }
  return copy;
}

/** A copy of `params` with each literal violation replaced by its suggested template. */
export function withSuggestedSecrets(params: Record<string, unknown>, violations: readonly SecretOnlyViolation[]): Record<string, unknown> {
  return replaced(params, violations, (v) => (v.kind === "literal" ? v.suggestion : undefined));
}

/** A copy of `params` with every violating value replaced by "[REDACTED]", for a run log. */
export function withViolationsRedacted(params: Record<string, unknown>, violations: readonly SecretOnlyViolation[]): Record<string, unknown> {
  return replaced(params, violations, () => "[REDACTED]");
}

/** "api_key", "auth.token": the paths as the catalog and errors write them. */
export function violationPaths(violations: readonly SecretOnlyViolation[]): string[] {
  return violations.map((v) => v.path.join("."));
}

/** What an error says about the violations: what is wrong and what to write instead, never the value. */
export function describeViolations(type: string, violations: readonly SecretOnlyViolation[]): { reason: string; fix: string } {
  const literal = violations.filter((v) => v.kind === "literal");
  const templated = violations.filter((v) => v.kind === "template");
  const reasons: string[] = [];
  const fixes: string[] = [];
  if (literal.length > 0) {
    const names = violationPaths(literal).join(", ");
    reasons.push(`${names} of ${type} ${literal.length === 1 ? "takes" : "take"} only a {{secrets.NAME}} reference to an organization secret, not a value`);
    fixes.push(
      `store the value as an organization secret (an owner or admin: Settings → Secrets, or POST /api/secrets with its name and value) and write ${literal.map((v) => `${v.path.join(".")}: "${v.suggestion}"`).join(", ")} (any secret name works)`,
    );
  }
  if (templated.length > 0) {
    const names = violationPaths(templated).join(", ");
    reasons.push(`${names} of ${type} holds a template, but it contains a field that takes only a {{secrets.NAME}} reference`);
    fixes.push(`write ${names} out as an object whose secret field is one {{secrets.NAME}} reference`);
  }
  return { reason: reasons.join("; "), fix: fixes.join("; ") };
}
