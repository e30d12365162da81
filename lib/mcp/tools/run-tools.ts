/**
 * MCP tools over runs: start one (trigger `mcp`), read it (optionally waiting for it), page through
 * its log, send it an event, cancel it, list runs. Each calls the use-case the matching HTTP route
 * calls (lib/runs).
 */
import { z } from "zod";
import { RUN_STATUSES, RUN_TRIGGERS } from "@/lib/resources/run";
import { cancelRun, getRun, listRunLogs, listRuns, MAX_RUN_WAIT_SECONDS, sendOrgEvent, sendRunEvent, waitForRun } from "@/lib/runs/runs";
import { startRun } from "@/lib/runs/start";
import { succeed } from "@/lib/workflows/outcome";
import { defineTool } from "@/lib/mcp/tool";
import { WorkflowIdArg } from "@/lib/mcp/tools/workflow-tools";

const RunIdArg = z.string().min(1).max(200).describe("The run's id (run_…), from run_workflow or list_runs");
const WaitArg = z
  .number()
  .min(0)
  .max(MAX_RUN_WAIT_SECONDS)
  .optional()
  .describe(`Seconds (0–${MAX_RUN_WAIT_SECONDS}) to wait until the run finishes or parks in a wait_for_event or wait_duration block (a call_workflow waiting for its child runs is waited through); the run is returned as it is then`);

const RUN_SHAPE =
  "A run is { id, workflowId, workflowVersion, trigger, triggeredBy, parentRunId, status, input, output, error, waitingOn, createdAt, startedAt, finishedAt } (get_run also returns children). status: queued, running, waiting (parked in wait_for_event, wait_duration or call_workflow; waitingOn names the block, its kind (event, duration, children), and for an event its name and key: send it with send_event), succeeded, failed (error = { message, blockId, code }), canceled. output maps each block id that ran to its output (e.g. output.greet.message). parentRunId: the run whose call_workflow block started this one (trigger \"workflow\"), else null; children: [{ runId, workflowId, status, blockId, itemIndex }], the runs this run's call_workflow blocks started (read one with get_run; canceling a run cancels them too).";
const RUN_NOT_FOUND = "Error `not_found`: no such run in your organization: check the id with list_runs.";

const runWorkflowTool = defineTool({
  name: "run_workflow",
  title: "Run a workflow",
  description: `Starts a run of the workflow's current version (pinned: later edits do not change it), recorded with trigger "mcp". With wait_seconds, waits until the run finishes or parks in a wait block, up to that long, and returns the run as it is then; without it, returns at once (status queued): follow it with get_run. ${RUN_SHAPE}
Errors: \`workflow_invalid\` (the workflow has validation_errors, listed: fix them with patch_workflow, then run again; nothing was started), \`not_found\` (no such workflow), \`invalid_body\` (the input cannot be stored: nested too deep, or a NUL character), \`run_not_started\` (the database was briefly unavailable; nothing was started: try again).`,
  input: z
    .object({
      workflow_id: WorkflowIdArg,
      input: z
        .unknown()
        .optional()
        .describe("The run input, which the trigger block outputs ({{<triggerId>.…}}); a trigger_webhook block outputs { method, headers, query, body }, so send { body: {...} } to stand in for a webhook call"),
      idempotency_key: z.string().min(1).max(200).optional().describe("The same key for the same workflow within 24 h returns the run it started instead of a new one"),
      wait_seconds: WaitArg,
    })
    .strict(),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  run: async ({ workflow_id, input, idempotency_key, wait_seconds }, { deps, actor }) => {
    const started = await startRun(deps, actor, { workflow: workflow_id, input, idempotencyKey: idempotency_key, trigger: "mcp" });
    if (!started.ok || !wait_seconds) return started.ok ? succeed(started.value.run) : started;
    return waitForRun(deps, actor, started.value.run.id, wait_seconds * 1000, { untilWaiting: true });
  },
});

const getRunTool = defineTool({
  name: "get_run",
  title: "Read a run",
  description: `Reads a run: its status, output and error. With wait_seconds, first waits until it finishes or parks in a wait block (at most that long): use that instead of calling again and again. ${RUN_SHAPE} ${RUN_NOT_FOUND}`,
  input: z.object({ run_id: RunIdArg, wait_seconds: WaitArg }).strict(),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ run_id, wait_seconds }, { deps, actor }) =>
    wait_seconds ? waitForRun(deps, actor, run_id, wait_seconds * 1000, { untilWaiting: true }) : getRun(deps, actor, run_id),
});

const getRunLogsTool = defineTool({
  name: "get_run_logs",
  title: "Read a run's log",
  description: `Pages through a run's log, oldest first: one entry per block attempt (and per skipped block), each { id, blockId, blockType, attempt, status (succeeded, failed, skipped, waiting, timed_out, canceled), input (params after templates were resolved, secrets redacted), output, error, messages, startedAt, finishedAt }. Read it to see why a run failed or what a block received. Returns { data, nextCursor }: pass nextCursor back as \`after\` for more. Errors: \`invalid_cursor\` (an \`after\` this log did not return), \`not_found\` (no such run).`,
  input: z
    .object({
      run_id: RunIdArg,
      after: z.string().max(512).optional().describe("Only entries after this cursor (an entry's id or a nextCursor)"),
      limit: z.number().int().min(1).max(500).default(100).describe("Entries per page, 1–500 (default 100)"),
    })
    .strict(),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ run_id, after, limit }, { deps, actor }) => listRunLogs(deps, actor, run_id, { after, limit }),
});

const sendEventTool = defineTool({
  name: "send_event",
  title: "Send an event",
  description: `Wakes runs parked in a wait_for_event block. With run_id: to that one run (waitingOn.event of get_run is the name it waits for); returns { eventId, delivered } (delivered false: stored until the run reaches a matching wait). With key instead: to every run of your organization waiting on this event with that key (wait_for_event's \`key\` param); returns { eventId, deliveredTo: [run ids] }. \`data\` becomes the wait block's output data ({{<waitBlockId>.data…}}). Send exactly one of run_id and key (else \`invalid_arguments\`). ${RUN_NOT_FOUND}`,
  input: z
    .object({
      event: z.string().min(1).max(200).describe("The event name the wait_for_event block waits for"),
      data: z.unknown().optional().describe("Any JSON: the wait block's output `data`"),
      run_id: RunIdArg.optional(),
      key: z.string().min(1).max(500).optional().describe("Deliver to every run waiting on `event` with this key"),
    })
    .strict()
    .refine((args) => (args.run_id === undefined) !== (args.key === undefined), {
      message: "send run_id (one run) or key (the runs waiting with that key), exactly one of them",
      path: ["run_id"],
    }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  run: ({ event, data, run_id, key }, { deps, actor }) =>
    run_id !== undefined ? sendRunEvent(deps, actor, run_id, { event, data }) : sendOrgEvent(deps, actor, { event, key: key as string, data }),
});

const cancelRunTool = defineTool({
  name: "cancel_run",
  title: "Cancel a run",
  description: `Cancels a queued, running or waiting run at once and returns it (status canceled), with every run it started through call_workflow (recursively); a run already canceled is returned as it is. Errors: \`run_finished\` (it already succeeded or failed: nothing to cancel), \`not_found\` (no such run). ${RUN_SHAPE}`,
  input: z.object({ run_id: RunIdArg }).strict(),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ run_id }, { deps, actor }) => cancelRun(deps, actor, run_id),
});

const listRunsTool = defineTool({
  name: "list_runs",
  title: "List runs",
  description: `Lists your organization's runs, newest first, optionally of one workflow, status, trigger (runs started through these tools have trigger "mcp") or parent run. Returns { data, nextCursor }; pass nextCursor back as \`cursor\` for the next page (a cursor this list did not return → \`invalid_cursor\`). ${RUN_SHAPE}`,
  input: z
    .object({
      workflow_id: WorkflowIdArg.optional(),
      status: z.enum(RUN_STATUSES).optional(),
      trigger: z.enum(RUN_TRIGGERS).optional().describe("How runs were started: manual, api, schedule, webhook, mcp, or workflow (by another run's call_workflow block)"),
      parent_run_id: RunIdArg.optional().describe("Only the runs this run (run_…) started with its call_workflow blocks"),
      limit: z.number().int().min(1).max(100).default(20).describe("Page size, 1–100 (default 20)"),
      cursor: z.string().max(512).optional().describe("nextCursor of the previous page"),
    })
    .strict(),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ workflow_id, status, trigger, parent_run_id, limit, cursor }, { deps, actor }) =>
    listRuns(deps, actor, { workflowId: workflow_id, status, trigger, parentRunId: parent_run_id, limit, cursor }),
});

export const runTools = [runWorkflowTool, getRunTool, getRunLogsTool, sendEventTool, cancelRunTool, listRunsTool];
