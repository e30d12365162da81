import { z } from "zod";
import { defineConnector, ui } from "@/lib/engine/connector";

export const CONDITION_OPS = ["eq", "neq", "gt", "gte", "lt", "lte", "contains", "starts_with", "exists", "empty"] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

function asNumber(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  return null;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

/** Compares two resolved values; values that parse as numbers compare as numbers. */
export function compare(left: unknown, op: ConditionOp, right?: unknown): boolean {
  const ln = asNumber(left);
  const rn = asNumber(right);
  const numeric = ln !== null && rn !== null;
  switch (op) {
    case "eq":
      return numeric ? ln === rn : JSON.stringify(left ?? null) === JSON.stringify(right ?? null);
    case "neq":
      return !compare(left, "eq", right);
    case "gt":
      return numeric ? ln > rn : typeof left === "string" && typeof right === "string" && left > right;
    case "gte":
      return numeric ? ln >= rn : typeof left === "string" && typeof right === "string" && left >= right;
    case "lt":
      return numeric ? ln < rn : typeof left === "string" && typeof right === "string" && left < right;
    case "lte":
      return numeric ? ln <= rn : typeof left === "string" && typeof right === "string" && left <= right;
    case "contains":
      if (Array.isArray(left)) return left.some((item) => compare(item, "eq", right));
      return typeof left === "string" && right !== undefined && right !== null && left.includes(String(right));
    case "starts_with":
      return typeof left === "string" && right !== undefined && right !== null && left.startsWith(String(right));
    case "exists":
      return left !== null && left !== undefined;
    case "empty":
      return isEmpty(left);
  }
}

/** If/else: takes the `true` or the `false` handle. */
export const condition = defineConnector({
  type: "condition",
  name: "Condition",
  description:
    "Branches on a comparison: takes the true handle when it holds, else false. Values that parse as numbers compare as numbers.",
  category: "logic",
  kind: "logic",
  pure: true,
  params: z
    .object({
      left: z
        .unknown()
        .describe("Left value, usually a template like {{trg.body.score}}")
        .meta(ui({ label: "Value", widget: "text", placeholder: "{{trigger.body.score}}" })),
      op: z.enum(CONDITION_OPS).describe("Comparison").meta(ui({ label: "Comparison", widget: "select" })),
      right: z
        .unknown()
        .optional()
        .describe("Right value (not needed for exists and empty)")
        .meta(ui({ label: "Compared with", widget: "text", placeholder: "10" })),
    })
    .strict(),
  outputs: z.object({ result: z.boolean().describe("Whether the comparison held") }),
  handles: ["true", "false"],
  run: async (_ctx, params) => {
    const result = compare(params.left, params.op, params.right);
    return { branch: result ? "true" : "false", output: { result } };
  },
});
