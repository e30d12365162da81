/**
 * The example `curl` command of one operation, written for the README quickstart's shell: `$URL`
 * is the server, `$KEY` an organization API key, `$SECRET` a webhook endpoint's secret.
 */
import { dereference, type ApiDocument, type Operation, type Parameter, type SecurityRequirement } from "./openapi-document";
import { exampleOf } from "./schema-example";

/** The shell variable each security scheme's credential is in (the quickstart's names). */
const CREDENTIAL_VARIABLES: Record<string, string> = { bearer: "KEY", apiKey: "KEY", webhookSecret: "SECRET" };

/** A runnable command for `method path`, with example values from the document. */
export function curlCommand(document: ApiDocument, method: string, path: string, operation: Operation): string {
  const parameters = (operation.parameters ?? []).map((parameter) => dereference(document, parameter));
  let url = path.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const parameter = parameters.find((p) => p.in === "path" && p.name === name);
    const value = parameter && exampleValue(document, parameter);
    return value === undefined ? whole : encodeURIComponent(String(value));
  });
  const query = parameters
    .filter((p) => p.in === "query")
    .map((p) => [p.name, shownValue(document, p)] as const)
    .filter(([, value]) => value !== undefined);
  if (query.length > 0) url += `?${query.map(([name, value]) => `${encodeURIComponent(name)}=${value === null ? `{${name}}` : encodeURIComponent(String(value))}`).join("&")}`;

  const lines = [`curl${method === "get" ? "" : ` -X ${method.toUpperCase()}`} "$URL${url}"`];
  const credential = credentialHeader(document, operation.security ?? document.security ?? []);
  if (credential) lines.push(`-H "${credential}"`);
  for (const parameter of parameters.filter((p) => p.in === "header")) {
    const value = shownValue(document, parameter);
    if (value !== undefined) lines.push(`-H ${shellQuote(`${parameter.name}: ${value ?? `{${parameter.name}}`}`)}`);
  }
  const body = operation.requestBody && dereference(document, operation.requestBody);
  const json = body?.content?.["application/json"];
  if (json) {
    const value = json.example ?? exampleOf(document, json.schema, "request");
    lines.push(`-H 'content-type: application/json'`);
    if (value !== undefined) {
      const compact = JSON.stringify(value);
      lines.push(`-d ${shellQuote(compact.length > 60 ? JSON.stringify(value, null, 2) : compact)}`);
    }
  }
  return lines.join(" \\\n  ");
}

function exampleValue(document: ApiDocument, parameter: Parameter): unknown {
  return parameter.example ?? exampleOf(document, parameter.schema, "request");
}

/**
 * A query or header parameter's value in the example: required ones always (null when the
 * document offers no value: the page shows `{name}`), optional ones only when the document gives
 * an example, so the command shows what a caller would typically send.
 */
function shownValue(document: ApiDocument, parameter: Parameter): unknown {
  if (parameter.required) return exampleValue(document, parameter) ?? null;
  return parameter.example ?? parameter.schema?.example;
}

/**
 * The header that proves who is calling, for the first way in that curl can send (a bearer token
 * or an API key header; not a browser cookie), or null when the operation is open.
 */
function credentialHeader(document: ApiDocument, security: SecurityRequirement[]): string | null {
  const schemes = document.components?.securitySchemes ?? {};
  for (const requirement of security) {
    const [name] = Object.keys(requirement);
    const scheme = name ? schemes[name] : undefined;
    if (!scheme) continue;
    const variable = `$${CREDENTIAL_VARIABLES[name] ?? name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}`;
    if (scheme.type === "http" && scheme.scheme?.toLowerCase() === "bearer") return `Authorization: Bearer ${variable}`;
    if (scheme.type === "apiKey" && scheme.in === "header" && scheme.name) return `${scheme.name}: ${variable}`;
  }
  return null;
}

/** `text` in single quotes for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
