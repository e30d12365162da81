/**
 * What a param expects and an example value of it, for the hints of `missing_required_param` and
 * `invalid_param` (docs/patch-endpoint.md): the type as the catalog names it, and a value taken
 * from the connector's own declaration (examples, editor placeholder, default, first enum value),
 * checked against the param's schema so the example is always one the validator accepts.
 */
import type { z } from "zod";
import { enumOptions, paramUi, unwrapField, type AnyConnector } from "./connector";
import { paramTypeName } from "./catalog";

export interface ParamExpectation {
  /** "string", "number", "enum(GET|POST)"… */
  expected: string;
  /** A value the param accepts; absent when the declaration offers none. */
  example?: unknown;
}

/** The placeholder of a param's editor hint as a value of the param's type, when it reads as one. */
function fromPlaceholder(field: z.ZodType): unknown[] {
  const hint = paramUi(field);
  const text = hint?.placeholder;
  if (text === undefined) return [];
  const values: unknown[] = [];
  const number = Number(text);
  if (text.trim() !== "" && Number.isFinite(number)) values.push(number);
  try {
    values.push(JSON.parse(text));
  } catch {
    // not JSON: the text itself is the candidate
  }
  values.push(text);
  return values;
}

/** Candidate values from a param's declaration, best first. */
function candidates(field: z.ZodType): unknown[] {
  const meta = field.meta() as { examples?: unknown } | undefined;
  const out: unknown[] = Array.isArray(meta?.examples) ? [...meta.examples] : [];
  out.push(...fromPlaceholder(field));
  const inner = unwrapField(field);
  const def = field._zod.def as { type: string; defaultValue?: unknown };
  if (def.type === "default") out.push(def.defaultValue);
  out.push(...(enumOptions(field) ?? []));
  const type = (inner._zod.def as { type: string }).type;
  const fallback: Record<string, unknown> = { string: "text", number: 1, int: 1, boolean: true, array: [], object: {}, record: {} };
  if (Object.hasOwn(fallback, type)) out.push(fallback[type]);
  return out;
}

/** The expected type of `name` on this connector and an example value, or null for an undeclared param. */
export function paramExpectation(connector: AnyConnector, name: string): ParamExpectation | null {
  const shape = connector.params.shape as Record<string, z.ZodType>;
  if (!Object.hasOwn(shape, name)) return null;
  const field = shape[name];
  const expected = paramTypeName(field);
  for (const value of candidates(field)) {
    if (value !== undefined && field.safeParse(value).success) return { expected, example: value };
  }
  return { expected };
}
