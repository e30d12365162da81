/**
 * The repair loop: create a workflow, send the model's batch, show the model Weft's answer, send
 * its next batch, until the answer is `ok: true` (at most `maxRounds` batches); then run the
 * workflow, wait for it, and print what each block output. Prints every round's skips, validation
 * errors and fixes as it goes.
 */
import type { RepairModel } from "./scripted-model";
import { opLabel, type EditOp, type PatchResult, type Run, type WeftTransport } from "./tools";

export interface LoopOptions {
  maxRounds: number;
  /** The run input. */
  input: unknown;
  waitSeconds: number;
  /** Delete every hint and `details` from the answers before the model sees them. */
  stripHints: boolean;
  print: (line: string) => void;
}

export type LoopOutcome =
  | { ok: true; workflowId: string; rounds: number; run: Run }
  | { ok: false; workflowId: string; rounds: number; reason: string; run?: Run };

/** The answer as the model sees it: without hints, `details` and the summary when `strip`. */
export function withoutHints(answer: PatchResult): PatchResult {
  return {
    ...answer,
    summary: undefined,
    skipped_items: answer.skipped_items.map(({ hint: _hint, details: _details, ...rest }) => rest),
    validation_errors: answer.validation_errors.map(({ hint: _hint, details: _details, ...rest }) => rest),
  };
}

function printAnswer(answer: PatchResult, sent: readonly EditOp[], round: number, print: (line: string) => void): void {
  const skipped = answer.skipped_items.length;
  const invalid = answer.validation_errors.length;
  print(`Round ${round}: sent ${sent.length} ops → ${skipped} skipped, ${invalid} validation error${invalid === 1 ? "" : "s"}; ok: ${answer.ok}`);
  for (const s of answer.skipped_items) {
    print(`  skipped op ${s.index} (${opLabel(sent[s.index])}): ${s.reason_code} — ${s.hint ?? "(no hint)"}`);
  }
  for (const e of answer.validation_errors) {
    print(`  invalid ${e.block_id ?? "workflow"}${e.field ? `.${e.field}` : ""}: ${e.code} — ${e.hint ?? "(no hint)"}`);
  }
}

/** Runs the loop over `transport` with `model`; never throws for Weft's answers, only for transport failures. */
export async function runRepairLoop(transport: WeftTransport, model: RepairModel, options: LoopOptions): Promise<LoopOutcome> {
  const { tools } = transport;
  const { print } = options;
  const workflow = await tools.create_workflow({ name: "Repair loop example", description: "Built by examples/repair-loop.ts" });
  print(`Workflow ${workflow.id} created (version ${workflow.version}).`);
  let ops = model.propose();
  const blockOrder: string[] = []; // block ids in the order the model first named them, to print the output in
  for (let round = 1; round <= options.maxRounds; round++) {
    print("");
    const answer = await tools.patch_workflow({ workflow_id: workflow.id, ops });
    printAnswer(answer, ops, round, print);
    for (const op of ops) if (typeof op.block_id === "string" && !blockOrder.includes(op.block_id)) blockOrder.push(op.block_id);
    if (answer.ok) {
      print(`Saved as version ${answer.version}.`);
      print("");
      const run = await tools.run_workflow({ workflow_id: workflow.id, input: options.input, wait_seconds: options.waitSeconds });
      print(`Run ${run.id} ${run.status}${run.error ? `: ${run.error.message}` : ""}. Input: ${JSON.stringify(options.input)}`);
      const rank = (id: string) => (blockOrder.includes(id) ? blockOrder.indexOf(id) : blockOrder.length);
      const outputs = Object.entries(run.output ?? {}).sort(([a], [b]) => rank(a) - rank(b));
      for (const [blockId, output] of outputs) print(`  ${blockId}: ${JSON.stringify(output)}`);
      if (run.status !== "succeeded") return { ok: false, workflowId: workflow.id, rounds: round, reason: `the run ended ${run.status}`, run };
      return { ok: true, workflowId: workflow.id, rounds: round, run };
    }
    const repair = model.repair(ops, options.stripHints ? withoutHints(answer) : answer);
    if ("stuck" in repair) return { ok: false, workflowId: workflow.id, rounds: round, reason: repair.stuck };
    for (const fix of repair.fixes) print(`  fix ${fix.target}: ${fix.text}`);
    ops = repair.ops;
  }
  return { ok: false, workflowId: workflow.id, rounds: options.maxRounds, reason: `still not ok after ${options.maxRounds} rounds` };
}
