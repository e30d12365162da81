/**
 * The workflow the editor benchmark opens: a manual trigger and 199 log, transform, condition and
 * http_request blocks with valid params, each referencing its first upstream block, in a DAG
 * about four lanes wide (conditions fork into true/false lanes, some lanes join, a few end),
 * laid out on a grid, or without positions so the editor lays it out itself (dagre).
 */
import type { Block, Edge, WorkflowDefinition } from "@/lib/engine/model";

const COLUMN_GAP = 320;
const ROW_GAP = 140;

const KINDS = [
  { type: "log", prefix: "log", output: "message" },
  { type: "transform", prefix: "tf", output: "value" },
  { type: "condition", prefix: "if", output: "result" },
  { type: "http_request", prefix: "http", output: "status" },
] as const;
type Kind = (typeof KINDS)[number];

/** The ids of the benchmark's http_request blocks start with this (the editor benchmark types into their URL). */
export const HTTP_PREFIX = "http_";
/** Log blocks: one is in the first view, which opens at a readable zoom on the graph's start. */
export const LOG_PREFIX = "log_";

/** A small deterministic generator (mulberry32), so every run benchmarks the same workflow. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickKind(r: number): Kind {
  // 35 % log, 30 % transform, 15 % condition, 20 % http_request.
  return r < 0.35 ? KINDS[0] : r < 0.65 ? KINDS[1] : r < 0.8 ? KINDS[2] : KINDS[3];
}

function paramsOf(kind: Kind, i: number, from: string): Record<string, unknown> {
  switch (kind.type) {
    case "log":
      return { message: `Step ${i}: ${from} for order {{trg.order_id}}`, ...(i % 5 === 0 ? { level: "warn" } : {}) };
    case "transform":
      return { value: { step: i, from, order: "{{trg.order_id}}", tags: ["bench", `n${i % 7}`] } };
    case "condition":
      return i % 2 === 0 ? { left: from, op: "exists" } : { left: "{{trg.amount}}", op: "gt", right: i };
    case "http_request":
      return { method: i % 3 === 0 ? "POST" : "GET", url: `https://api.example.com/orders/${i}`, headers: { accept: "application/json" } };
  }
}

/** `count` blocks (the trigger included); with `positions: false` no block has a position. */
export function editorBenchDefinition(count: number, { positions }: { positions: boolean }): WorkflowDefinition {
  const rand = random(20_240_601);
  const blocks: Block[] = [{ id: "trg", type: "trigger_manual", name: "Order placed", params: {}, position: { x: 0, y: 0 } }];
  const edges: Edge[] = [];
  const column = new Map<string, number>([["trg", 0]]);
  const output = new Map<string, string>([["trg", "order_id"]]);
  const rowsUsed: number[] = [1];
  /** Open outputs new blocks hang from, oldest first: a block's success path or a condition's branch. */
  let tips: { id: string; handle?: string }[] = [{ id: "trg" }];

  for (let i = 1; i < count; i++) {
    const kind = pickKind(rand());
    const id = `${kind.prefix}_${String(i).padStart(3, "0")}`;
    const join = tips.length >= 4 && rand() < 0.25;
    const parents = tips.slice(0, join ? 2 : 1);
    tips = tips.slice(parents.length);
    const col = Math.max(...parents.map((p) => column.get(p.id)!)) + 1;
    const row = rowsUsed[col] ?? 0;
    rowsUsed[col] = row + 1;
    column.set(id, col);
    output.set(id, kind.output);
    const first = parents[0].id;
    blocks.push({
      id,
      type: kind.type,
      ...(i % 3 === 0 ? { name: `${kind.type.replace("_", " ")} ${i}` } : {}),
      params: paramsOf(kind, i, `{{${first}.${output.get(first)}}}`),
      position: { x: col * COLUMN_GAP, y: row * ROW_GAP },
    });
    for (const parent of parents) edges.push({ source: parent.id, target: id, ...(parent.handle ? { sourceHandle: parent.handle } : {}) });
    if (kind.type === "condition") tips.push({ id, handle: "true" }, { id, handle: "false" });
    else if (kind.type !== "log" || tips.length === 0 || rand() > 0.15) tips.push({ id }); // some log blocks end their lane
  }
  if (!positions) for (const block of blocks) delete block.position;
  return { blocks, edges };
}
