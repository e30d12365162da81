/**
 * The OpenAPI document arranged for reading: operations grouped by tag (in the document's tag
 * order, undeclared tags after), each with its parameters, body and responses as schema views,
 * the credentials it takes and an example command; plus the ways in and the error answers of
 * the whole API. Pure: the page renders it, tests inspect it.
 */
import { curlCommand } from "./curl";
import { dereference, METHODS, refName, type ApiDocument, type MediaType, type Operation, type Response, type Schema } from "./openapi-document";
import { exampleOf } from "./schema-example";
import { describeSchema, type Field, type SchemaView } from "./schema-view";

export interface ReferenceOperation {
  /** The element id of its section (`post-api-workflows-id-run`). */
  anchor: string;
  method: string;
  path: string;
  summary: string;
  description?: string;
  deprecated: boolean;
  /** Names of the security schemes it accepts (any one of them); empty when it is open. */
  auth: string[];
  parameters: { location: string; fields: Field[] }[];
  body?: { required: boolean; description?: string; mediaTypes: string[]; view: SchemaView };
  responses: ReferenceResponse[];
  curl: string;
  /** The first successful JSON answer, as example JSON. */
  responseExample?: { status: string; json: string };
}

export interface ReferenceResponse {
  status: string;
  description?: string;
  mediaTypes: string[];
  /** The named schema of its JSON body (`Error`), if it has one. */
  schemaName?: string;
  view?: SchemaView;
  headers: { name: string; description?: string }[];
}

export interface ReferenceTag {
  name: string;
  title: string;
  description?: string;
  anchor: string;
  operations: ReferenceOperation[];
}

export interface Reference {
  title: string;
  version: string;
  description?: string;
  tags: ReferenceTag[];
  schemes: { name: string; kind: string; description?: string }[];
  /** The schema most error answers share (`Error`), and its view. */
  errorSchema?: { name: string; view: SchemaView };
  /** Every distinct error answer the document describes, by status. */
  errors: { status: string; descriptions: { text: string; operations: number }[] }[];
}

const LOCATIONS = ["path", "query", "header", "cookie"];

/** The reference of `document`. */
export function buildReference(document: ApiDocument): Reference {
  const operations: (ReferenceOperation & { tag: string })[] = [];
  const used = new Set<string>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation || typeof operation !== "object") continue;
      operations.push({ ...describeOperation(document, method, path, operation, used), tag: operation.tags?.[0] ?? "other" });
    }
  }
  const declared = (document.tags ?? []).map((tag) => tag.name);
  const names = [...new Set([...declared, ...operations.map((operation) => operation.tag)])];
  const tags = names
    .map((name) => ({
      name,
      title: name.charAt(0).toUpperCase() + name.slice(1),
      description: document.tags?.find((tag) => tag.name === name)?.description,
      anchor: uniqueAnchor(`tag-${name}`, used),
      operations: operations.filter((operation) => operation.tag === name).map(({ tag: _tag, ...operation }) => operation),
    }))
    .filter((tag) => tag.operations.length > 0);
  const errorSchemaName = mostCommonErrorSchema(tags);
  return {
    title: document.info.title,
    version: document.info.version,
    description: document.info.description,
    tags,
    schemes: Object.entries(document.components?.securitySchemes ?? {}).map(([name, scheme]) => ({
      name,
      kind: scheme.type === "http" ? `HTTP ${scheme.scheme ?? ""}`.trim() : scheme.type === "apiKey" ? `${scheme.in} ${scheme.name}` : scheme.type,
      description: scheme.description,
    })),
    errorSchema: errorSchemaName ? { name: errorSchemaName, view: describeSchema(document, { $ref: `#/components/schemas/${errorSchemaName}` }) } : undefined,
    errors: errorTable(tags),
  };
}

function describeOperation(document: ApiDocument, method: string, path: string, operation: Operation, used: Set<string>): ReferenceOperation {
  const parameters = (operation.parameters ?? []).map((parameter) => dereference(document, parameter));
  const body = operation.requestBody && dereference(document, operation.requestBody);
  const responses = Object.entries(operation.responses ?? {}).map(([status, response]) => describeResponse(document, status, dereference(document, response)));
  const success = Object.entries(operation.responses ?? {}).find(([status, response]) => /^2/.test(status) && dereference(document, response).content?.["application/json"]);
  const example = success && exampleOf(document, dereference(document, success[1]).content?.["application/json"]?.schema, "response");
  return {
    anchor: uniqueAnchor(`${method}-${path}`, used),
    method,
    path,
    summary: operation.summary ?? `${method.toUpperCase()} ${path}`,
    description: operation.description,
    deprecated: operation.deprecated === true,
    auth: (operation.security ?? document.security ?? []).flatMap((requirement) => Object.keys(requirement)),
    parameters: LOCATIONS.map((location) => ({
      location,
      fields: parameters
        .filter((parameter) => parameter.in === location)
        .map((parameter) => {
          const view = describeSchema(document, parameter.schema);
          return { ...view, name: parameter.name, required: parameter.required === true, description: parameter.description ?? view.description, deprecated: parameter.deprecated === true || view.deprecated };
        }),
    })).filter((group) => group.fields.length > 0),
    body: body && {
      required: body.required === true,
      description: body.description,
      mediaTypes: Object.keys(body.content ?? {}),
      view: describeSchema(document, preferredSchema(body.content)),
    },
    responses,
    curl: curlCommand(document, method, path, operation),
    responseExample: success && example !== undefined ? { status: success[0], json: JSON.stringify(example, null, 2) } : undefined,
  };
}

function describeResponse(document: ApiDocument, status: string, response: Response): ReferenceResponse {
  const schema = preferredSchema(response.content);
  return {
    status,
    description: response.description,
    mediaTypes: Object.keys(response.content ?? {}),
    schemaName: schema?.$ref ? refName(schema.$ref) : undefined,
    view: schema ? describeSchema(document, schema) : undefined,
    headers: Object.entries(response.headers ?? {}).map(([name, header]) => ({ name, description: header.description })),
  };
}

/** The JSON schema of a body when it has one, else the first media type's. */
function preferredSchema(content: Record<string, MediaType> | undefined): Schema | undefined {
  if (!content) return undefined;
  return (content["application/json"] ?? Object.values(content)[0])?.schema;
}

/** `post-api-workflows-id-run` from `post /api/workflows/{id}/run`; a suffix keeps it unique. */
function uniqueAnchor(text: string, used: Set<string>): string {
  const base = text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "section";
  let anchor = base;
  for (let n = 2; used.has(anchor); n++) anchor = `${base}-${n}`;
  used.add(anchor);
  return anchor;
}

function isError(status: string): boolean {
  return /^[45]/.test(status);
}

function mostCommonErrorSchema(tags: ReferenceTag[]): string | undefined {
  const counts = new Map<string, number>();
  for (const response of tags.flatMap((tag) => tag.operations.flatMap((operation) => operation.responses))) {
    if (isError(response.status) && response.schemaName) counts.set(response.schemaName, (counts.get(response.schemaName) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function errorTable(tags: ReferenceTag[]): Reference["errors"] {
  const byStatus = new Map<string, Map<string, number>>();
  for (const response of tags.flatMap((tag) => tag.operations.flatMap((operation) => operation.responses))) {
    if (!isError(response.status) || !response.description) continue;
    const texts = byStatus.get(response.status) ?? new Map<string, number>();
    texts.set(response.description, (texts.get(response.description) ?? 0) + 1);
    byStatus.set(response.status, texts);
  }
  return [...byStatus]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, texts]) => ({ status, descriptions: [...texts].map(([text, operations]) => ({ text, operations })).sort((a, b) => b.operations - a.operations) }));
}
