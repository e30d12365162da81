/**
 * The parts of an OpenAPI 3.1 document the API reference reads, and `$ref` resolution. Kept to
 * what the page renders; everything else in the document is ignored, so a new kind of route (or a
 * field the generator starts emitting) never breaks the page.
 */

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it), as far as the page reads one. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  /** OpenAPI 3.0's way of saying `| null`; 3.1 uses a `type` array. */
  nullable?: boolean;
  deprecated?: boolean;
  readOnly?: boolean;
  writeOnly?: boolean;
}

export interface Parameter {
  $ref?: string;
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  description?: string;
  deprecated?: boolean;
  schema?: Schema;
  example?: unknown;
}

export interface MediaType {
  schema?: Schema;
  example?: unknown;
}

export interface RequestBody {
  $ref?: string;
  description?: string;
  required?: boolean;
  content?: Record<string, MediaType>;
}

export interface Response {
  $ref?: string;
  description?: string;
  content?: Record<string, MediaType>;
  headers?: Record<string, { description?: string; schema?: Schema }>;
}

export type SecurityRequirement = Record<string, string[]>;

export interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  deprecated?: boolean;
  parameters?: Parameter[];
  requestBody?: RequestBody;
  responses?: Record<string, Response>;
  security?: SecurityRequirement[];
}

export interface SecurityScheme {
  type: string;
  scheme?: string;
  in?: string;
  name?: string;
  description?: string;
}

export interface ApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  tags?: { name: string; description?: string }[];
  security?: SecurityRequirement[];
  paths?: Record<string, Record<string, Operation | unknown>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, SecurityScheme> } & Record<string, unknown>;
}

/** The HTTP methods an OpenAPI path item may hold, in the order the page lists them. */
export const METHODS = ["get", "post", "put", "patch", "delete", "head", "options", "trace"] as const;

/**
 * The object `ref` (`#/components/schemas/Run`) points at in `document`, or undefined when it
 * points nowhere or outside the document.
 */
export function lookUpRef(document: ApiDocument, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The last segment of a `$ref`: the name of the schema it points at (`Run`). */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

/**
 * `value` with its `$ref` chain followed (a parameter, body or response may be a reference too);
 * `value` itself when it has no `$ref` or the chain is broken or circular.
 */
export function dereference<T extends { $ref?: string }>(document: ApiDocument, value: T): T {
  let current = value;
  const seen = new Set<string>();
  while (current.$ref && !seen.has(current.$ref)) {
    seen.add(current.$ref);
    const target = lookUpRef(document, current.$ref);
    if (target === null || typeof target !== "object") return current;
    current = target as T;
  }
  return current;
}
