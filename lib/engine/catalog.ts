/**
 * Catalog projections of connector definitions (docs/connectors.md): `full` for tools and
 * editors (with each param's editor hint), `summary` compact enough for a system prompt.
 * Hidden params never appear in either.
 */
import { z } from "zod";
import {
  blockHandles,
  enumOptions,
  paramReferencesWorkflow,
  paramTakesTemplates,
  paramUi,
  paramVisibility,
  unwrapField,
  type AnyConnector,
  type CodeLanguage,
  type ConnectorKind,
  type ParamVisibility,
  type ParamWidget,
} from "./connector";
import { secretOnlyFields } from "./secret-only";

/** How the editor shows a param: its declared hint, with label and widget derived when not declared. */
export interface CatalogParamUi {
  label: string;
  widget: ParamWidget;
  placeholder?: string;
  /** `code` widgets only. */
  language?: CodeLanguage;
  /** Shown collapsed by default. */
  advanced?: true;
  /** `select` widgets: the enum's values. */
  options?: (string | number)[];
}

export interface CatalogParam {
  name: string;
  type: string;
  required: boolean;
  description?: string;
  visibility: Exclude<ParamVisibility, "hidden">;
  default?: unknown;
  /** Present (false) when `{{…}}` in this param is not resolved: its text is used as written. */
  templates?: false;
  /** Present (true) when the param takes only one `{{secrets.NAME}}` reference, never a value. */
  secretOnly?: true;
  /** Fields inside this (object) param that take only one `{{secrets.NAME}}` reference (`token`, `password`). */
  secretOnlyFields?: string[];
  /** Present when the value is the id of one of the organization's workflows (GET /api/workflows). */
  references?: "workflow";
}

/** A full-catalog param: the shared fields plus the editor hint. */
export interface CatalogParamFull extends CatalogParam {
  ui: CatalogParamUi;
}

export interface CatalogEntryFull {
  type: string;
  name: string;
  description: string;
  category: string;
  kind: ConnectorKind;
  params: CatalogParamFull[];
  /** JSON Schema (2020-12) of the settable params. */
  paramsSchema: Record<string, unknown>;
  outputs: { name: string; type: string; description?: string }[];
  /** Outputs are the run input itself: any top-level key may be referenced. */
  openOutputs: boolean;
  handles: string[];
  dynamicHandles?: string;
}

export interface CatalogEntrySummary {
  type: string;
  name: string;
  kind: ConnectorKind;
  description: string;
  /** "url*: string" — `*` marks a required param. */
  params: string[];
  outputs: string[];
  handles: string[];
}

type JsonSchema = Record<string, unknown>;

function schemaOf(field: z.ZodType): JsonSchema {
  return z.toJSONSchema(field, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** A short type name from a JSON schema: "string", "number", "string[]", "object", "enum(a|b)". */
function typeName(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return `enum(${schema.enum.map(String).join("|")})`;
  const options = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(options)) {
    const parts = (options as JsonSchema[]).map(typeName).filter((t) => t !== "null");
    return [...new Set(parts)].join("|") || "any";
  }
  const t = schema.type;
  if (t === "array") return `${typeName((schema.items as JsonSchema | undefined) ?? {})}[]`;
  if (t === "integer") return "number";
  if (typeof t === "string") return t;
  return "any";
}

/** The short type name of a param, as the catalog shows it ("string", "number", "enum(GET|POST)"). */
export function paramTypeName(field: z.ZodType): string {
  return typeName(schemaOf(field));
}

function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/.exec(text.trim());
  return m ? m[1] : text.trim();
}

function visibleFields(connector: AnyConnector): [string, z.ZodType][] {
  return (Object.entries(connector.params.shape) as [string, z.ZodType][]).filter(
    ([, field]) => paramVisibility(field) !== "hidden",
  );
}

function catalogParams(connector: AnyConnector): CatalogParam[] {
  const secretPaths = secretOnlyFields(connector).map((f) => f.path);
  return visibleFields(connector).map(([name, field]) => {
    const schema = schemaOf(field);
    const visibility = paramVisibility(field) as Exclude<ParamVisibility, "hidden">;
    const entry: CatalogParam = { name, type: typeName(schema), required: !field.safeParse(undefined).success, visibility };
    if (typeof schema.description === "string") entry.description = schema.description;
    if ("default" in schema) entry.default = schema.default;
    if (!paramTakesTemplates(field)) entry.templates = false;
    const secret = secretPaths.filter((path) => path[0] === name);
    if (secret.some((path) => path.length === 1)) entry.secretOnly = true;
    const inside = secret.filter((path) => path.length > 1).map((path) => path.slice(1).join("."));
    if (inside.length > 0) entry.secretOnlyFields = inside;
    if (paramReferencesWorkflow(field)) entry.references = "workflow";
    return entry;
  });
}

/** "timeout_ms" → "Timeout ms", "receivedAt" → "Received at": a label for a param without a hint. */
export function labelFromName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const text = words.join(" ");
  return text ? text[0].toUpperCase() + text.slice(1) : name;
}

/** The widget a param gets from its zod type when its hint names none. */
export function defaultWidget(field: z.ZodType): ParamWidget {
  if (enumOptions(field)) return "select";
  const inner = unwrapField(field);
  if (inner instanceof z.ZodBoolean) return "boolean";
  if (inner instanceof z.ZodNumber) return "number";
  if (inner instanceof z.ZodString) return "text";
  if (inner instanceof z.ZodRecord && unwrapField(inner.valueType as z.ZodType) instanceof z.ZodString) return "key_value";
  return "json";
}

/** The editor hint of one param, as the full catalog shows it. */
export function catalogParamUi(name: string, field: z.ZodType): CatalogParamUi {
  const hint = paramUi(field);
  const widget = hint?.widget ?? defaultWidget(field);
  const out: CatalogParamUi = { label: hint?.label ?? labelFromName(name), widget };
  if (hint?.placeholder !== undefined) out.placeholder = hint.placeholder;
  if (hint?.widget === "code") out.language = hint.language;
  if (hint?.advanced === true) out.advanced = true;
  const options = widget === "select" ? enumOptions(field) : null;
  if (options) out.options = options;
  return out;
}

function paramsSchema(connector: AnyConnector): JsonSchema {
  const visible = Object.fromEntries(visibleFields(connector));
  const schema = schemaOf(z.object(visible).strict());
  delete schema.$schema;
  return stripMeta(schema);
}

const META_KEYS = ["visibility", "ui", "templates", "secretOnly", "references"];

/**
 * zod copies `.meta()` into the JSON schema, at every depth; visibility, editor hints, `templates`,
 * `secretOnly` and `references` have their own catalog fields. Walks subschemas only (a property named `ui` stays).
 */
function stripMeta(schema: JsonSchema): JsonSchema {
  const stack: JsonSchema[] = [schema];
  while (stack.length > 0) {
    const node = stack.pop() as JsonSchema;
    for (const key of META_KEYS) delete node[key];
    const push = (value: unknown) => {
      if (value !== null && typeof value === "object" && !Array.isArray(value)) stack.push(value as JsonSchema);
    };
    for (const key of ["properties", "$defs", "definitions", "patternProperties"]) {
      const map = node[key];
      if (map !== null && typeof map === "object") Object.values(map as Record<string, unknown>).forEach(push);
    }
    for (const key of ["anyOf", "oneOf", "allOf", "prefixItems"]) if (Array.isArray(node[key])) (node[key] as unknown[]).forEach(push);
    for (const key of ["items", "additionalProperties", "not", "propertyNames"]) push(node[key]);
  }
  return schema;
}

function catalogOutputs(connector: AnyConnector): CatalogEntryFull["outputs"] {
  return (Object.entries(connector.outputs.shape) as [string, z.ZodType][]).map(([name, field]) => {
    const schema = schemaOf(field);
    const out: { name: string; type: string; description?: string } = { name, type: typeName(schema) };
    if (typeof schema.description === "string") out.description = schema.description;
    return out;
  });
}

/** The full catalog entry of one connector. */
export function catalogEntryFull(connector: AnyConnector): CatalogEntryFull {
  const entry: CatalogEntryFull = {
    type: connector.type,
    name: connector.name,
    description: connector.description,
    category: connector.category,
    kind: connector.kind,
    params: catalogParams(connector).map((param) => ({ ...param, ui: catalogParamUi(param.name, connector.params.shape[param.name]) })),
    paramsSchema: paramsSchema(connector),
    outputs: catalogOutputs(connector),
    openOutputs: connector.openOutputs === true,
    handles: blockHandles(connector),
  };
  if (connector.paramHandles) entry.dynamicHandles = connector.paramHandles.description;
  return entry;
}

/** The summary entry of one connector: one line of description, compact param strings. */
export function catalogEntrySummary(connector: AnyConnector): CatalogEntrySummary {
  const handles = blockHandles(connector);
  if (connector.paramHandles) handles.unshift(`<${connector.paramHandles.description}>`);
  return {
    type: connector.type,
    name: connector.name,
    kind: connector.kind,
    description: firstSentence(connector.description),
    params: catalogParams(connector).map((p) => `${p.name}${p.required ? "*" : ""}: ${p.type}`),
    outputs: connector.openOutputs ? ["<the run input>"] : Object.keys(connector.outputs.shape),
    handles,
  };
}
