/**
 * Engine benchmark: `applyEditOps` with 50 mixed ops on a 1,000-block workflow, validation
 * included, against one `structuredClone` of the same definition measured in the same run.
 * Target: the median ratio stays at or under 3.
 */
import { connectorRegistry } from "@/lib/connectors";
import { applyEditOps } from "@/lib/engine/apply-edit-ops";
import type { Block, Edge, WorkflowDefinition } from "@/lib/engine/model";
import { median } from "./percentiles";

const BLOCKS = 1_000;
const WARMUP = 50;
const ITERATIONS = 300;
const TARGET_RATIO = 3;

const KINDS = ["greet", "transform", "condition"] as const;
const OUTPUT: Record<(typeof KINDS)[number], string> = { greet: "message", transform: "value", condition: "result" };

function kindOf(i: number): (typeof KINDS)[number] {
  return KINDS[i % 3];
}

/** A binary tree of greet/transform/condition blocks under one webhook trigger; each block references its parent. */
export function buildWorkflow(): WorkflowDefinition {
  const blocks: Block[] = [{ id: "trg", type: "trigger_webhook", name: "Inbound", params: {}, position: { x: 0, y: 0 } }];
  const edges: Edge[] = [];
  const idOf = (i: number) => (i === 0 ? "trg" : `b${i}`);
  for (let i = 1; i < BLOCKS; i++) {
    const parent = Math.floor((i - 1) / 2);
    const parentRef = parent === 0 ? "{{trg.body.name}}" : `{{${idOf(parent)}.${OUTPUT[kindOf(parent)]}}}`;
    const kind = kindOf(i);
    const params: Record<string, unknown> =
      kind === "greet"
        ? { name: `${parentRef} #${i}` }
        : kind === "transform"
          ? { value: { from: parentRef, n: i, tags: ["a", "b"], who: "{{trg.body.email}}" } }
          : { left: parentRef, op: "exists" };
    blocks.push({ id: idOf(i), type: kind, name: `${kind} ${i}`, params, position: { x: i * 10, y: parent * 10 } });
    const edge: Edge = { source: idOf(parent), target: idOf(i) };
    if (parent !== 0 && kindOf(parent) === "condition") edge.sourceHandle = i % 2 === 0 ? "true" : "false";
    edges.push(edge);
  }
  return { blocks, edges, variables: { region: "eu", tier: "gold" } };
}

/** 50 ops: adds, connects, updates, disconnects, removes, set_variables and a few bad ones. */
export function buildOps(): unknown[] {
  const ops: unknown[] = [];
  for (let i = 0; i < 10; i++) {
    ops.push({ operation_type: "add", block_id: `n${i}`, type: "greet", params: { name: `{{b${3 * i + 1}.value}} new` }, position: { x: i, y: 9 } });
    ops.push({ operation_type: "connect", block_id: `b${3 * i + 1}`, target_block_id: `n${i}` });
  }
  for (let i = 0; i < 12; i++) {
    const id = `b${40 + 7 * i}`;
    ops.push(
      i % 3 === 0
        ? { operation_type: "update", block_id: id, name: `renamed ${i}` }
        : i % 3 === 1
          ? { operation_type: "update", block_id: id, position: { x: i, y: -i } }
          : { operation_type: "update", block_id: `b${3 * (20 + i) + 2}`, params: { left: "{{trg.body.score}}", op: "gte", right: i } },
    );
  }
  for (let i = 0; i < 5; i++) {
    const child = 500 + 40 * i;
    const parent = Math.floor((child - 1) / 2);
    ops.push({ operation_type: "disconnect", block_id: `b${parent}`, target_block_id: `b${child}` });
  }
  for (let i = 0; i < 5; i++) ops.push({ operation_type: "remove", block_id: `b${900 + 20 * i}` });
  for (let i = 0; i < 3; i++) ops.push({ operation_type: "set_variables", variables: { [`v${i}`]: i, tier: i === 2 ? null : "gold" } });
  ops.push(
    { operation_type: "update", block_id: "ghost", name: "x" },
    { operation_type: "connect", block_id: "b10", target_block_id: "b4" },
    { operation_type: "connect", block_id: "trg", target_block_id: "b1" },
    { operation_type: "add", block_id: "not valid", type: "greet" },
    { operation_type: "add", block_id: "z", type: "gret" },
  );
  return ops;
}

/** Runs the engine benchmark and prints the medians and their ratio. */
export async function benchEngine(): Promise<void> {
  const definition = buildWorkflow();
  const ops = buildOps();
  const run = () => applyEditOps(definition, ops, connectorRegistry, { actor: "api_key", currentVersion: 7 });
  const check = run();
  if (ops.length !== 50 || check.skipped.length !== 5 || !check.changed) {
    throw new Error(`bench setup is off: ${ops.length} ops, ${check.skipped.length} skipped, changed=${check.changed}`);
  }
  for (let i = 0; i < WARMUP; i++) {
    run();
    structuredClone(definition);
  }
  // Interleaved, so both medians see the same machine state.
  const applyTimes: number[] = [];
  const cloneTimes: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    let started = performance.now();
    run();
    applyTimes.push(performance.now() - started);
    started = performance.now();
    structuredClone(definition);
    cloneTimes.push(performance.now() - started);
  }
  const applyMedian = median(applyTimes);
  const cloneMedian = median(cloneTimes);
  const ratio = applyMedian / cloneMedian;
  console.log(
    `applyEditOps ${ops.length} ops / ${BLOCKS} blocks: median ${applyMedian.toFixed(2)} ms; ` +
      `structuredClone median ${cloneMedian.toFixed(2)} ms; ratio ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO})` +
      ` [${check.validationErrors.length} validation errors, ${check.skipped.length} skipped]`,
  );
}
