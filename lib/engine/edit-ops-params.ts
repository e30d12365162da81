/**
 * Param rules of `add` and `update` (docs/patch-endpoint.md, Connectors): hidden params are never settable
 * through the API, `user` params not by API-key callers, and unknown params are dropped and
 * reported as `unknown_param`. Values are checked later, on the resulting workflow.
 */
import type { z } from "zod";
import { paramVisibility, type AnyConnector, type ParamVisibility } from "./connector";
import { FORBIDDEN_KEYS } from "./model";
import type { EditActor, EditOp, SkipCode, SkipDetails, ValidationError } from "./ops";
import { listNames, nearestNames, shortText } from "./edit-ops-hints";
import { describeViolations, secretOnlyFields, secretOnlyViolations, violationPaths, withSuggestedSecrets } from "./secret-only";

const visibilityCache = new WeakMap<AnyConnector, ReadonlyMap<string, ParamVisibility>>();

/** Each declared param of a connector with its visibility (cached per connector). */
export function paramVisibilities(connector: AnyConnector): ReadonlyMap<string, ParamVisibility> {
  let map = visibilityCache.get(connector);
  if (!map) {
    const entries = Object.entries(connector.params.shape as Record<string, z.ZodType>);
    map = new Map(entries.map(([name, field]) => [name, paramVisibility(field)]));
    visibilityCache.set(connector, map);
  }
  return map;
}

/** Names of the params this actor may set on a block of this connector. */
export function settableParams(connector: AnyConnector, actor: EditActor): string[] {
  const names: string[] = [];
  for (const [name, visibility] of paramVisibilities(connector)) {
    if (visibility === "llm" || (visibility === "user" && actor === "user")) names.push(name);
  }
  return names;
}

export interface ParamProblem {
  code: Extract<SkipCode, "hidden_param_in_input" | "param_not_llm_settable" | "secret_required">;
  reason: string;
  hint: string;
  details: SkipDetails;
}

export interface ParamKeyCheck {
  /** Set when the whole op must be skipped. */
  problem?: ParamProblem;
  /** Keys to store, in input order. */
  accepted: string[];
  /** Keys that are not params of this connector (or are forbidden): dropped. */
  unknown: string[];
}

/**
 * Sorts the keys of an op's params into accepted and unknown, or returns the problem that skips
 * the op. A hidden param's value is never echoed, only its name.
 */
export function checkParamKeys(
  connector: AnyConnector | undefined,
  params: Record<string, unknown>,
  actor: EditActor,
): ParamKeyCheck {
  const accepted: string[] = [];
  const unknown: string[] = [];
  const hidden: string[] = [];
  const userOnly: string[] = [];
  const visibilities = connector ? paramVisibilities(connector) : undefined;
  for (const key of Object.keys(params)) {
    if (params[key] === undefined) continue;
    if (FORBIDDEN_KEYS.has(key)) {
      unknown.push(key);
      continue;
    }
    if (!visibilities) {
      accepted.push(key); // the block's type is no longer registered: nothing to check against
      continue;
    }
    const visibility = visibilities.get(key);
    if (visibility === undefined) unknown.push(key);
    else if (visibility === "hidden") hidden.push(key);
    else if (visibility === "user" && actor === "api_key") userOnly.push(key);
    else accepted.push(key);
  }
  if (hidden.length > 0 && connector) {
    const settable = settableParams(connector, actor);
    return {
      accepted,
      unknown,
      problem: {
        code: "hidden_param_in_input",
        reason: `params ${listNames(hidden)} of ${connector.type} are operator configuration and cannot be set through the API`,
        hint: `remove ${listNames(hidden)} from params and send the op again: the operator of this Weft server sets ${hidden.length === 1 ? "it" : "them"} for every workflow, so no workflow can; settable params of ${connector.type}: ${listNames(settable)}`,
        details: { params: hidden, settable_params: settable },
      },
    };
  }
  if (userOnly.length > 0 && connector) {
    const settable = settableParams(connector, actor);
    return {
      accepted,
      unknown,
      problem: {
        code: "param_not_llm_settable",
        reason: `params ${listNames(userOnly)} of ${connector.type} can only be set by a person in the editor, not by an API key`,
        hint: `remove ${listNames(userOnly)} from params and send the op again, then ask a person to set ${userOnly.length === 1 ? "it" : "them"} in the editor (a person must decide ${userOnly.length === 1 ? "this value" : "these values"}); settable params of ${connector.type}: ${listNames(settable)}`,
        details: { params: userOnly, settable_params: settable },
      },
    };
  }
  return { accepted, unknown };
}

/**
 * The secret_required problem of the params an op sets (accepted keys only), or undefined: a
 * secret-only param (or field) holding anything but one {{secrets.NAME}} reference skips the whole
 * op, so a credential is never stored. `retry(params)` is the op with the given params, for
 * `details.suggested_ops`. The refused values appear nowhere in the problem.
 */
export function secretOnlyProblem(
  connector: AnyConnector,
  params: Record<string, unknown>,
  retry: (params: Record<string, unknown>) => EditOp,
): ParamProblem | undefined {
  const violations = secretOnlyViolations(connector, params);
  if (violations.length === 0) return undefined;
  const { reason, fix } = describeViolations(connector.type, violations);
  const details: SkipDetails = { params: violationPaths(violations) };
  const suggestable = violations.every((v) => v.kind === "literal");
  if (suggestable) details.suggested_ops = [retry(withSuggestedSecrets(params, violations))];
  return {
    code: "secret_required",
    reason: `${reason}; the op was skipped, so the value was not stored`,
    hint: `${fix}, then send the op again${suggestable ? " (details.suggested_ops is this op with the references in place)" : ""}`,
    details,
  };
}

/** Param and variable values may nest this deep (arrays and objects); deeper ones skip the op. */
export const MAX_VALUE_DEPTH = 100;

/** The first key whose value nests deeper than MAX_VALUE_DEPTH, or undefined. Iterative, so it cannot overflow. */
export function tooDeepKey(values: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(values)) {
    const stack: [unknown, number][] = [[values[key], 1]];
    while (stack.length > 0) {
      const [value, depth] = stack.pop() as [unknown, number];
      if (value === null || typeof value !== "object") continue;
      if (depth > MAX_VALUE_DEPTH) return key;
      const children = Array.isArray(value) ? value : Object.values(value);
      for (const child of children) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

/** The `unknown_param` validation error for a dropped param. */
export function unknownParamError(
  blockId: string,
  connector: AnyConnector | undefined,
  blockType: string,
  key: string,
  value: unknown,
): ValidationError {
  const known = connector ? settableParams(connector, "user") : [];
  const closest = nearestNames(key, known, 3);
  const why = FORBIDDEN_KEYS.has(key)
    ? `"${key}" is never accepted as a param name`
    : `"${shortText(key)}" is not a param of ${blockType}`;
  const suggestion = closest.length > 0 ? ` Did you mean "${closest[0]}"?` : "";
  // A near miss of a secret-only param (`apiKey` for `api_key`) would carry a credential: not echoed.
  const echo = !connector || secretOnlyFields(connector).length === 0;
  return {
    code: "unknown_param",
    block_id: blockId,
    block_type: blockType,
    field: key,
    ...(echo && { value }),
    error: `${why}; it was dropped.${suggestion} Params of ${blockType}: ${listNames(known)}`,
    hint: closest.length > 0 ? `send the value as params.${closest[0]} instead` : `use one of the params of ${blockType}: ${listNames(known)}`,
    details: { params: known, closest },
  };
}
