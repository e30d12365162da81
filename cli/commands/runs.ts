/**
 * `weft run`, `weft runs list|get` and `weft cancel` (docs/runs.md). `run --wait` follows the run's
 * stream (../run-stream.ts) to its final status and exits 0 only when it succeeded.
 */
import { EXIT, flag, integerOption, positionals, stringOption, type Command } from "@/cli/command";
import { answer, ApiFailure, connect } from "@/cli/connection";
import { printValidationErrors, type ValidationErrorView } from "@/cli/edit-view";
import { between, when } from "@/cli/format";
import { jsonArgument } from "@/cli/input";
import { statusStyle } from "@/cli/output";
import { followRun } from "@/cli/run-stream";
import { printRun, printRunStatus } from "@/cli/run-view";

const run: Command = {
  path: ["run"],
  section: "Runs",
  summary: "Start a run of a workflow (--wait for its result)",
  args: "<workflowId>",
  description: [
    "The input is what the trigger block outputs ({{trg.…}} in params). With --wait, the command",
    "follows the run to its end, prints it with its output, and exits 0 if it succeeded, 1 if it",
    "failed or was canceled. A workflow with validation errors cannot run: they are printed (exit 3).",
  ].join("\n"),
  options: {
    input: { type: "string", value: "json|@file|-", description: "The run input: inline JSON, @file, or - for stdin" },
    "idempotency-key": { type: "string", value: "key", description: "The same key for the same workflow within 24 h returns the same run" },
    wait: { type: "boolean", description: "Wait for the run to finish and print its output" },
  },
  async run(ctx, args) {
    const [id] = positionals(args, ["workflowId"]);
    const rawInput = stringOption(args, "input");
    const input = rawInput !== undefined ? await jsonArgument(ctx, rawInput, "--input") : undefined;
    const connection = connect(ctx);
    let dispatched;
    try {
      dispatched = await answer(
        await connection.client.api.workflows[":id"].run.$post({ param: { id }, json: { input, idempotencyKey: stringOption(args, "idempotency-key") } }),
      );
    } catch (error) {
      if (error instanceof ApiFailure && error.code === "workflow_invalid" && Array.isArray(error.body.validation_errors)) {
        if (ctx.globals.json) ctx.out.json(error.body);
        else {
          ctx.out.line(`Not started: ${error.serverMessage}`);
          printValidationErrors(ctx.out, error.body.validation_errors as ValidationErrorView[]);
        }
        return EXIT.rejected;
      }
      throw error;
    }
    if (!flag(args, "wait")) {
      if (ctx.globals.json) ctx.out.json(dispatched);
      else {
        ctx.out.line(`Run ${dispatched.runId} ${dispatched.status}.`);
        ctx.out.note(`Follow it: weft logs ${dispatched.runId} --follow`, "dim");
      }
      return EXIT.ok;
    }
    let lastStatus = "";
    const finished = await followRun(connection, dispatched.runId, {
      onStatus: (current) => {
        if (ctx.globals.json || current.status === lastStatus) return;
        lastStatus = current.status;
        if (current.status === "waiting") ctx.out.note(`Run ${current.id} is waiting${current.waitingOn?.event ? ` for event "${current.waitingOn.event}"` : ""}…`, "dim");
      },
      onDrop: (reason) => ctx.out.note(`connection lost (${reason}); reconnecting…`, "yellow"),
    });
    if (ctx.globals.json) ctx.out.json(finished);
    else printRun(ctx.out, finished);
    return finished.status === "succeeded" ? EXIT.ok : EXIT.failure;
  },
};

const list: Command = {
  path: ["runs", "list"],
  section: "Runs",
  summary: "List runs, newest first",
  options: {
    workflow: { type: "string", value: "workflowId", description: "Only this workflow's runs" },
    status: { type: "string", value: "status", description: "queued, running, waiting, succeeded, failed or canceled" },
    limit: { type: "string", value: "n", description: "Runs per page, 1–100 (default 50)" },
    cursor: { type: "string", value: "cursor", description: "The page after this cursor (printed under a full page)" },
  },
  async run(ctx, args) {
    positionals(args, []);
    const limit = integerOption(args, "limit", 1, 100);
    const { client } = connect(ctx);
    const query = {
      workflowId: stringOption(args, "workflow"),
      // The server names the statuses it accepts when this one is not among them.
      status: stringOption(args, "status") as Parameters<typeof client.api.runs.$get>[0]["query"]["status"],
      limit: limit?.toString(),
      cursor: stringOption(args, "cursor"),
    };
    const page = await answer(await client.api.runs.$get({ query }));
    if (ctx.globals.json) {
      ctx.out.json(page);
      return EXIT.ok;
    }
    ctx.out.table(
      ["ID", "WORKFLOW", "STATUS", "TRIGGER", "CREATED", "TOOK"],
      page.data.map((item) => [
        item.id,
        `${item.workflowId} v${item.workflowVersion}`,
        ctx.out.paint(statusStyle(item.status), item.status),
        item.trigger,
        when(item.createdAt),
        between(item.startedAt, item.finishedAt),
      ]),
    );
    if (page.nextCursor) ctx.out.note(`More: weft runs list --cursor ${page.nextCursor}`, "dim");
    return EXIT.ok;
  },
};

const get: Command = {
  path: ["runs", "get"],
  section: "Runs",
  summary: "Show a run: status, error and output",
  args: "<runId>",
  async run(ctx, args) {
    const [runId] = positionals(args, ["runId"]);
    const { client } = connect(ctx);
    const found = await answer(await client.api.runs[":runId"].$get({ param: { runId } }));
    if (ctx.globals.json) ctx.out.json(found);
    else printRun(ctx.out, found);
    return EXIT.ok;
  },
};

const cancel: Command = {
  path: ["cancel"],
  section: "Runs",
  summary: "Cancel a queued, running or waiting run",
  args: "<runId>",
  async run(ctx, args) {
    const [runId] = positionals(args, ["runId"]);
    const { client } = connect(ctx);
    const canceled = await answer(await client.api.runs[":runId"].cancel.$post({ param: { runId } }));
    if (ctx.globals.json) ctx.out.json(canceled);
    else printRunStatus(ctx.out, canceled);
    return EXIT.ok;
  },
};

export const runCommands = [run, list, get, cancel];
