/**
 * A plausible value for a schema, for the page's example requests and responses: the document's
 * own `example` where it gives one, else a value built from the type (null where null is allowed).
 * Requests carry the required fields and those the document gives an example for; responses
 * carry every field.
 */
import { lookUpRef, type ApiDocument, type Schema } from "./openapi-document";

export type ExampleFor = "request" | "response";

/** Nesting beyond this is shown as `{}` / `[]`: an example is for reading, not for completeness. */
const MAX_DEPTH = 6;

/** An example value of `schema`, or undefined when the schema gives nothing to go on. */
export function exampleOf(document: ApiDocument, schema: Schema | undefined, purpose: ExampleFor): unknown {
  return build(document, schema ?? {}, purpose, [], 0);
}

function build(document: ApiDocument, input: Schema, purpose: ExampleFor, stack: string[], depth: number): unknown {
  let schema = input;
  if (schema.$ref) {
    if (stack.includes(schema.$ref)) return undefined;
    const target = lookUpRef(document, schema.$ref);
    if (!target || typeof target !== "object") return undefined;
    stack = [...stack, schema.$ref];
    const { $ref: _ref, ...siblings } = schema;
    schema = { ...(target as Schema), ...siblings };
    if (schema.$ref) return build(document, schema, purpose, stack, depth);
  }
  if (schema.example !== undefined) return schema.example;
  if (schema.examples?.length) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.allOf?.length) {
    const parts = schema.allOf.map((member) => build(document, member, purpose, stack, depth));
    return parts.every((part) => part && typeof part === "object" && !Array.isArray(part)) ? Object.assign({}, ...parts) : parts.find((part) => part !== undefined);
  }
  // A value that may be null is shown as null: the fields list shows its shape.
  const variants = schema.anyOf ?? schema.oneOf ?? [];
  const nullable = schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes("null")) || variants.some((v) => v.type === "null");
  if (nullable) return null;
  if (variants.length > 0) return build(document, variants[0], purpose, stack, depth);

  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const type = types[0] ?? (schema.properties ? "object" : schema.items ? "array" : undefined);
  switch (type) {
    case "object": {
      if (depth >= MAX_DEPTH) return {};
      const required = new Set(schema.required ?? []);
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (purpose === "request" && !required.has(name) && !hasExample(document, property)) continue;
        const value = build(document, property, purpose, stack, depth + 1);
        if (value !== undefined) out[name] = value;
      }
      return out;
    }
    case "array": {
      if (depth >= MAX_DEPTH || !schema.items) return [];
      const item = build(document, schema.items, purpose, stack, depth + 1);
      return item === undefined ? [] : [item];
    }
    case "string":
      return schema.format === "date-time" ? "2025-01-01T09:00:00.000Z" : schema.format === "uri" ? "https://example.com" : "string";
    case "integer":
    case "number":
      return schema.minimum ?? 0;
    case "boolean":
      return true;
    default:
      return undefined;
  }
}

/** Whether the document gives `schema` (or the schema it names) an example of its own. */
function hasExample(document: ApiDocument, schema: Schema): boolean {
  const target = schema.$ref ? (lookUpRef(document, schema.$ref) as Schema | undefined) : schema;
  return target?.example !== undefined || Boolean(target?.examples?.length);
}
