/**
 * A JSON Schema from the OpenAPI document turned into what the reference shows: a type in words,
 * its enum values and limits, and nested fields, with every `$ref` resolved. A schema that
 * contains itself is expanded once and then named, never followed forever.
 */
import { lookUpRef, refName, type ApiDocument, type Schema } from "./openapi-document";

export interface SchemaView {
  /** In words: `string`, `integer`, `object`, `array of Run`, `map of string`, `Named | Other`, `one of`, `any`. */
  type: string;
  /** The component the schema is (`Run`), when it is a named one. */
  schemaName?: string;
  nullable: boolean;
  description?: string;
  /** Allowed values, as the text to show (strings bare, other values as JSON). */
  enumValues: string[];
  /** Limits and hints: `1–200 characters`, `default 50`, `format date-time`, `example "3"`. */
  constraints: string[];
  /** An object's properties (or those of an array's items, or of a map's values). */
  fields: Field[];
  /** The alternatives of `anyOf` / `oneOf` when at least one of them has fields. */
  variants: SchemaView[];
  /** Not expanded here: the named schema is already being expanded further up. */
  recursive: boolean;
  deprecated: boolean;
}

export interface Field extends SchemaView {
  name: string;
  required: boolean;
}

/** Below this many nested levels the page names a schema instead of expanding it. */
const MAX_DEPTH = 8;

/** What `schema` looks like, with references resolved against `document`. */
export function describeSchema(document: ApiDocument, schema: Schema | undefined): SchemaView {
  return describe(document, schema ?? {}, [], 0);
}

function describe(document: ApiDocument, input: Schema, stack: string[], depth: number): SchemaView {
  let schema = input;
  let schemaName: string | undefined;
  if (schema.$ref) {
    schemaName = refName(schema.$ref);
    const target = lookUpRef(document, schema.$ref);
    const { $ref: _ref, ...siblings } = schema;
    if (stack.includes(schemaName) || depth >= MAX_DEPTH || !target || typeof target !== "object") {
      return { ...empty(schemaName, siblings.description), recursive: true };
    }
    // OpenAPI 3.1 lets keywords sit beside a $ref (a description, most often); they win.
    schema = { ...(target as Schema), ...siblings };
    stack = [...stack, schemaName];
    if (schema.$ref) return { ...describe(document, schema, stack, depth), schemaName };
  }
  if (schema.allOf?.length) schema = mergeAllOf(document, schema);

  const nullable = schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes("null"));
  const alternatives = (schema.anyOf ?? schema.oneOf ?? []).filter((variant) => !isNull(variant));
  const nullableByVariant = (schema.anyOf ?? schema.oneOf ?? []).some(isNull);
  if (alternatives.length === 1) {
    const { anyOf: _a, oneOf: _o, ...outer } = schema;
    const inner = describe(document, alternatives[0], stack, depth);
    return { ...inner, schemaName: inner.schemaName ?? schemaName, nullable: nullable || nullableByVariant || inner.nullable, description: outer.description ?? inner.description };
  }
  const base: SchemaView = {
    ...empty(schemaName, schema.description),
    nullable: nullable || nullableByVariant,
    enumValues: (schema.enum ?? (schema.const !== undefined ? [schema.const] : [])).map(show),
    constraints: constraints(schema),
    deprecated: schema.deprecated === true,
  };
  if (alternatives.length > 1) {
    const variants = alternatives.map((variant) => describe(document, variant, stack, depth + 1));
    if (variants.every((variant) => variant.fields.length === 0 && variant.variants.length === 0)) {
      return { ...base, type: [...new Set(variants.map(label))].join(" | "), enumValues: [...base.enumValues, ...variants.flatMap((v) => v.enumValues)] };
    }
    // Named alternatives read as a union of their names; anonymous ones as "one of".
    const names = variants.map((variant) => variant.schemaName);
    return { ...base, type: names.every(Boolean) ? names.join(" | ") : "one of", variants };
  }

  const type = typeOf(schema);
  if (type === "array") {
    const items = describe(document, schema.items ?? {}, stack, depth + 1);
    return {
      ...base,
      // An item's own description (what one element is) matters as much as the list's.
      description: [base.description, items.description].filter(Boolean).join("\n\n") || undefined,
      type: `array of ${label(items)}${items.nullable ? " | null" : ""}`,
      enumValues: items.enumValues,
      constraints: [...base.constraints, ...items.constraints.map((c) => `each ${c}`)],
      fields: items.fields,
      variants: items.variants,
      recursive: items.recursive,
    };
  }
  if (type === "object") {
    const required = new Set(schema.required ?? []);
    const fields = Object.entries(schema.properties ?? {}).map(([name, property]) => ({
      ...describe(document, property, stack, depth + 1),
      name,
      required: required.has(name),
    }));
    const extra = schema.additionalProperties;
    if (fields.length === 0 && extra && typeof extra === "object" && Object.keys(extra).length > 0) {
      const values = describe(document, extra, stack, depth + 1);
      return { ...base, type: `map of ${label(values)}`, fields: values.fields, variants: values.variants, recursive: values.recursive };
    }
    return { ...base, type: "object", fields };
  }
  return { ...base, type };
}

function empty(schemaName: string | undefined, description: string | undefined): SchemaView {
  return { type: schemaName ?? "any", schemaName, nullable: false, description, enumValues: [], constraints: [], fields: [], variants: [], recursive: false, deprecated: false };
}

/** How a nested schema is named inside another's type: its component name, else its type. */
function label(view: SchemaView): string {
  return view.schemaName ?? view.type;
}

function isNull(schema: Schema): boolean {
  return schema.type === "null" || (Array.isArray(schema.type) && schema.type.length === 1 && schema.type[0] === "null");
}

function typeOf(schema: Schema): string {
  const declared = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []).filter((t) => t !== "null");
  if (declared.length > 0) return declared.join(" | ");
  if (schema.properties || schema.additionalProperties) return "object";
  if (schema.items) return "array";
  const values = schema.enum ?? (schema.const !== undefined ? [schema.const] : []);
  if (values.length > 0) return [...new Set(values.map((value) => (value === null ? "null" : typeof value)))].join(" | ");
  return "any";
}

/** `allOf` members merged into one object: properties and required lists united, the first keyword wins. */
function mergeAllOf(document: ApiDocument, schema: Schema): Schema {
  const { allOf = [], ...rest } = schema;
  const merged: Schema = { ...rest, properties: { ...rest.properties }, required: [...(rest.required ?? [])] };
  for (const member of allOf) {
    const resolved = member.$ref ? ((lookUpRef(document, member.$ref) as Schema | undefined) ?? {}) : member;
    const inner = resolved.allOf ? mergeAllOf(document, resolved) : resolved;
    for (const [key, value] of Object.entries(inner) as [keyof Schema, unknown][]) {
      if (key === "properties") Object.assign(merged.properties!, value);
      else if (key === "required") merged.required!.push(...(value as string[]));
      else if (merged[key] === undefined) (merged as Record<string, unknown>)[key] = value;
    }
  }
  if (Object.keys(merged.properties!).length === 0) delete merged.properties;
  return merged;
}

function range(min: number | undefined, max: number | undefined, unit: string): string | null {
  const units = (n: number) => (unit ? ` ${unit}${n === 1 ? "" : "s"}` : "");
  if (min !== undefined && max !== undefined) return min === max ? `exactly ${min}${units(min)}` : `${min}–${max}${units(max)}`;
  if (min !== undefined) return `at least ${min}${units(min)}`;
  if (max !== undefined) return `at most ${max}${units(max)}`;
  return null;
}

function constraints(schema: Schema): string[] {
  const out: (string | null)[] = [
    range(schema.minLength, schema.maxLength, "character"),
    range(schema.minimum, schema.maximum, ""),
    range(schema.minItems, schema.maxItems, "item"),
  ];
  if (typeof schema.exclusiveMinimum === "number") out.push(`greater than ${schema.exclusiveMinimum}`);
  if (typeof schema.exclusiveMaximum === "number") out.push(`less than ${schema.exclusiveMaximum}`);
  if (schema.format) out.push(`format ${schema.format}`);
  if (schema.pattern) out.push(`pattern ${schema.pattern}`);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.readOnly) out.push("read-only");
  if (schema.writeOnly) out.push("write-only");
  return out.filter((c): c is string => c !== null);
}

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
