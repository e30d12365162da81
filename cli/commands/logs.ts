/**
 * `weft logs <runId> [--follow]` (docs/runs.md, "Logs and the live stream"): the run's log entries
 * so far, or, with --follow, live from the run's event stream until the run ends (resuming after a
 * dropped connection without repeating an entry).
 */
import type { RunLogEntry } from "@/lib/resources/run";
import { EXIT, flag, positionals, type Command } from "@/cli/command";
import { answer, connect } from "@/cli/connection";
import { followRun } from "@/cli/run-stream";
import { printLogEntry, printRunStatus } from "@/cli/run-view";

const LOG_PAGE = "500";

const logs: Command = {
  path: ["logs"],
  section: "Runs",
  summary: "Print a run's log (--follow: live until the run ends)",
  args: "<runId>",
  description: [
    "One entry per block attempt: time, block, status, duration, then its messages and its error or",
    "output. With --follow, status changes are printed too, and the command exits when the run",
    "ends: 0 if it succeeded, 1 if it failed or was canceled. With --json, --follow prints one",
    'JSON object per line: { "event": "log" | "status", "data": … }; without it, the entries as an array.',
  ].join("\n"),
  options: { follow: { type: "boolean", short: "f", description: "Stream new entries until the run ends" } },
  async run(ctx, args) {
    const [runId] = positionals(args, ["runId"]);
    const connection = connect(ctx);
    if (!flag(args, "follow")) {
      const entries: RunLogEntry[] = [];
      let after: string | undefined;
      do {
        const page = await answer(await connection.client.api.runs[":runId"].logs.$get({ param: { runId }, query: { after, limit: LOG_PAGE } }));
        entries.push(...(page.data as RunLogEntry[]));
        after = page.nextCursor ?? undefined;
      } while (after);
      if (ctx.globals.json) ctx.out.json(entries);
      else if (entries.length === 0) ctx.out.note("No log entries yet.", "dim");
      else for (const entry of entries) printLogEntry(ctx.out, entry);
      return EXIT.ok;
    }
    let lastStatus = "";
    const finished = await followRun(connection, runId, {
      onLog: (entry) => (ctx.globals.json ? ctx.out.jsonLine({ event: "log", data: entry }) : printLogEntry(ctx.out, entry)),
      onStatus: (run) => {
        // A resumed stream repeats the current status: print changes only.
        if (run.status === lastStatus) return;
        lastStatus = run.status;
        if (ctx.globals.json) ctx.out.jsonLine({ event: "status", data: run });
        else printRunStatus(ctx.out, run);
      },
      onDrop: (reason, lastEventId) => ctx.out.note(`connection lost (${reason}); resuming${lastEventId ? " after the last entry" : ""}…`, "yellow"),
    });
    return finished.status === "succeeded" ? EXIT.ok : EXIT.failure;
  },
};

export const logCommands = [logs];
