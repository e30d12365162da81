/**
 * `weft patch <workflowId> <ops.json|->` (docs/patch-endpoint.md): sends a batch of EditOps to
 * `POST /api/workflows/:id/operations` and prints the server's summary, then every skipped op with
 * its reason code and hint, and the validation errors. Exit 3 when anything was skipped or the
 * workflow is invalid, so a script (or an agent) knows to read the hints and send a repair.
 */
import type { ControlPlaneClient } from "@/lib/api/client";
import { EXIT, flag, positionals, UsageError, type Command } from "@/cli/command";
import { answer, connect } from "@/cli/connection";
import { printSkips, printValidationErrors } from "@/cli/edit-view";
import { jsonFromFile } from "@/cli/input";
import { IF_MATCH, ifMatchHeader } from "./workflows";

type EditOps = Parameters<ControlPlaneClient["api"]["workflows"][":id"]["operations"]["$post"]>[0]["json"]["ops"];

/**
 * The ops of a file holding `[...]` or `{ "ops": [...] }`. Typed as EditOps without checking each
 * one: the server checks every op on its own and skips one it cannot read (`invalid_op`).
 */
function opsOf(content: unknown): EditOps {
  if (Array.isArray(content)) return content as EditOps;
  if (content && typeof content === "object" && Array.isArray((content as { ops?: unknown }).ops)) return (content as { ops: EditOps }).ops;
  throw new UsageError('the ops file must hold a JSON array of EditOps or { "ops": [...] }');
}

const patch: Command = {
  path: ["patch"],
  section: "Workflows",
  summary: "Apply EditOps to a workflow; prints the summary and each skip with its hint",
  args: "<workflowId> <ops.json|->",
  description: [
    "The file holds a JSON array of EditOps (or { \"ops\": [...] }); - reads it from stdin. Ops apply in",
    "order and a bad op is skipped while the rest still apply (see docs/patch-endpoint.md).",
    "Exit 0 when every op applied and the workflow is valid, 3 when an op was skipped or the",
    "workflow has validation errors.",
  ].join("\n"),
  options: {
    "dry-run": { type: "boolean", description: "Compute the answer but save nothing" },
    atomic: { type: "boolean", description: "Save only if no op is skipped" },
    "if-match": IF_MATCH,
  },
  async run(ctx, args) {
    const [id, file] = positionals(args, ["workflowId", "ops.json|-"]);
    const headers = ifMatchHeader(args);
    const ops = opsOf(await jsonFromFile(ctx, file, "ops"));
    const { client } = connect(ctx);
    const result = await answer(
      await client.api.workflows[":id"].operations.$post(
        { param: { id }, json: { ops, ...(flag(args, "dry-run") ? { dry_run: true } : {}), ...(flag(args, "atomic") ? { atomic: true } : {}) } },
        { headers },
      ),
    );
    if (ctx.globals.json) ctx.out.json(result);
    else {
      ctx.out.line(result.summary);
      if (result.skipped_items.length + result.validation_errors.length > 0) ctx.out.line();
      printSkips(ctx.out, result.skipped_items);
      printValidationErrors(ctx.out, result.validation_errors);
    }
    return result.ok ? EXIT.ok : EXIT.rejected;
  },
};

export const patchCommands = [patch];
