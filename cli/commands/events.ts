/**
 * `weft events send` (docs/runs.md, "Events"): wakes `wait_for_event` blocks, either of one run
 * (`--run`) or of every run of the organization waiting on the event with a key (`--key`). An event
 * no wait has opened yet is stored until one does.
 */
import { EXIT, positionals, stringOption, UsageError, type Command } from "@/cli/command";
import { answer, connect } from "@/cli/connection";
import { jsonArgument } from "@/cli/input";

const send: Command = {
  path: ["events", "send"],
  section: "Runs",
  summary: "Send an event to one run (--run) or to the runs waiting with a key (--key)",
  args: "<event>",
  options: {
    run: { type: "string", value: "runId", description: "Deliver to this run only" },
    key: { type: "string", value: "key", description: "Deliver to every run waiting on <event> with this key" },
    data: { type: "string", value: "json|@file|-", description: "The event's data: inline JSON, @file, or - for stdin" },
  },
  async run(ctx, args) {
    const [event] = positionals(args, ["event"]);
    const runId = stringOption(args, "run");
    const key = stringOption(args, "key");
    if ((runId === undefined) === (key === undefined)) throw new UsageError("give exactly one of --run <runId> or --key <key>");
    const rawData = stringOption(args, "data");
    const data = rawData !== undefined ? await jsonArgument(ctx, rawData, "--data") : undefined;
    const { client } = connect(ctx);
    const result =
      runId !== undefined
        ? await answer(await client.api.runs[":runId"].events.$post({ param: { runId }, json: { event, data } }))
        : await answer(await client.api.events.$post({ json: { event, key: key as string, data } }));
    if (ctx.globals.json) ctx.out.json(result);
    else ctx.out.line(`Event "${event}" sent to ${runId !== undefined ? `run ${runId}` : `runs waiting with key "${key}"`}.`);
    return EXIT.ok;
  },
};

export const eventCommands = [send];
