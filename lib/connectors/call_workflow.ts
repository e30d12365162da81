import { z } from "zod";
import { defineConnector, ui, type ChildCalls } from "@/lib/engine/connector";
import { RUN_STATUSES } from "@/lib/resources/run";

/** Items one block may fan out over: each child costs the parent about two durable steps (docs/runs.md, "Child runs"). */
export const MAX_CALL_ITEMS = 200;
/** Children of one block running at once: the default and the most. */
export const DEFAULT_CALL_CONCURRENCY = 5;
export const MAX_CALL_CONCURRENCY = 20;

const childResult = z.object({
  runId: z.string().nullable().describe("The child run's id (GET /api/runs/<runId>); null when it was never started"),
  status: z.enum([...RUN_STATUSES, "not_started"]).describe("succeeded, failed, canceled, or not_started (a child failed first)"),
  output: z.record(z.string(), z.unknown()).nullable().describe("The child run's output: each of its block ids mapped to that block's output"),
  error: z.object({ message: z.string(), blockId: z.string().optional(), code: z.string().optional() }).nullable().describe("The child run's error, when it failed"),
});

/**
 * Runs another workflow of the organization and waits for it durably (docs/runs.md, "Child
 * runs"): once, or once per item with a bounded number at a time. The runtime starts and watches
 * the children (`wait: { kind: "children" }`); this file only turns the params into calls.
 */
export const callWorkflow = defineConnector({
  type: "call_workflow",
  name: "Call workflow",
  description:
    "Runs another workflow of this organization as a child run and waits for it; its output is the child run's output, read as {{<thisBlockId>.output.<childBlockId>.<field>}}. " +
    "With items (an array), starts one child run per item, at most `concurrency` at a time, and outputs `results` in item order. " +
    "Each child's input is the item itself, or, when `input` is set, `input` with the fields `item` and `item_index` added. " +
    "The child workflow's current version is pinned when the block starts; a failed or canceled child sends the block to its error handle with every child's status. " +
    "Calls nest at most 8 deep (error code depth_limit).",
  category: "logic",
  kind: "wait",
  params: z
    .object({
      workflow_id: z
        .string()
        .min(1)
        .max(200)
        .describe("Id (wf_…) of the workflow to run, one of this organization's (GET /api/workflows); a workflow may call itself")
        .meta({ references: "workflow", ...ui({ label: "Workflow", widget: "text", placeholder: "wf_…" }) }),
      input: z
        .unknown()
        .optional()
        .describe(
          "The child run's input, as the body of POST /api/workflows/:id/run takes it (what its trigger outputs); default {}. With items it must be an object: each child gets it with `item` and `item_index` added",
        )
        .meta(ui({ label: "Input", widget: "json", placeholder: '{ "customer": "{{trg.body.customer}}" }' })),
      items: z
        .array(z.unknown())
        .max(MAX_CALL_ITEMS)
        .optional()
        .describe(`One child run per element (at most ${MAX_CALL_ITEMS}), usually a template such as {{fetch.body.orders}}; each child's input is its element unless \`input\` is set`)
        .meta(ui({ label: "Items", widget: "json", placeholder: "{{fetch.body.orders}}" })),
      concurrency: z
        .number()
        .int()
        .min(1)
        .max(MAX_CALL_CONCURRENCY)
        .optional()
        .describe(`With items: how many child runs may run at once (default ${DEFAULT_CALL_CONCURRENCY}, at most ${MAX_CALL_CONCURRENCY}); the next starts as soon as one finishes`)
        .meta(ui({ label: "Concurrency", widget: "number", placeholder: String(DEFAULT_CALL_CONCURRENCY), advanced: true })),
    })
    .strict(),
  outputs: z.object({
    runId: z.string().optional().describe("Without items: the child run's id"),
    status: z.string().optional().describe("Without items: the child run's final status (succeeded on the success path)"),
    output: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Without items: the child run's output, each of its block ids mapped to that block's output"),
    results: z.array(childResult).optional().describe("With items: one entry per item, in item order"),
  }),
  wait: {
    kind: "children",
    calls: (params): ChildCalls => {
      const fanOut = params.items !== undefined;
      return {
        workflowId: params.workflow_id,
        inputs: fanOut ? (params.items ?? []).map((item, index) => childInput(params.input, item, index)) : [params.input ?? {}],
        fanOut,
        concurrency: fanOut ? (params.concurrency ?? DEFAULT_CALL_CONCURRENCY) : 1,
      };
    },
  },
});

/** Item `index`'s input: the item itself, or `input` with `item` and `item_index` added. */
function childInput(input: unknown, item: unknown, index: number): unknown {
  if (input === undefined || input === null) return item;
  if (typeof input !== "object" || Array.isArray(input)) {
    throw Object.assign(new Error("With items, input must be an object: each child gets it with item and item_index added. Remove input to give each child its item as input."), {
      code: "invalid_param",
    });
  }
  return { ...(input as Record<string, unknown>), item, item_index: index };
}
