/**
 * `weft workflows list|get|create|delete` (docs/cli.md, "Workflows"). Changing a definition is
 * `weft patch` (./patch.ts), the one path agents and the editor use too.
 */
import { EXIT, integerOption, positionals, stringOption, type Command, type CommandContext } from "@/cli/command";
import { answer, ApiFailure, connect } from "@/cli/connection";
import { printSkips, printValidationErrors, type SkippedItemView } from "@/cli/edit-view";
import { oneLine, when } from "@/cli/format";
import { jsonFromFile } from "@/cli/input";
import { statusStyle } from "@/cli/output";

const IF_MATCH = { type: "string", value: "version", description: "Only if the workflow is still at this version (else 412 version_mismatch)" } as const;

/** `--if-match` as the header it becomes. */
export function ifMatchHeader(args: Parameters<Command["run"]>[1]): Record<string, string> {
  const version = integerOption(args, "if-match", 1, Number.MAX_SAFE_INTEGER);
  return version === undefined ? {} : { "if-match": String(version) };
}

const list: Command = {
  path: ["workflows", "list"],
  section: "Workflows",
  summary: "List workflows, newest first",
  options: {
    query: { type: "string", value: "text", description: "Only workflows whose name contains this text" },
    limit: { type: "string", value: "n", description: "Workflows per page, 1–100 (default 50)" },
    cursor: { type: "string", value: "cursor", description: "The page after this cursor (printed under a full page)" },
  },
  async run(ctx, args) {
    positionals(args, []);
    const limit = integerOption(args, "limit", 1, 100);
    const { client } = connect(ctx);
    const page = await answer(
      await client.api.workflows.$get({ query: { q: stringOption(args, "query"), limit: limit?.toString(), cursor: stringOption(args, "cursor") } }),
    );
    if (ctx.globals.json) {
      ctx.out.json(page);
      return EXIT.ok;
    }
    ctx.out.table(
      ["ID", "NAME", "VERSION", "BLOCKS", "LAST RUN", "UPDATED"],
      page.data.map((workflow) => [
        workflow.id,
        workflow.name,
        String(workflow.version),
        String(workflow.definition.blocks.length),
        workflow.lastRun ? ctx.out.paint(statusStyle(workflow.lastRun.status), workflow.lastRun.status) : "",
        when(workflow.updatedAt),
      ]),
    );
    if (page.nextCursor) ctx.out.note(`More: weft workflows list --cursor ${page.nextCursor}`, "dim");
    return EXIT.ok;
  },
};

const get: Command = {
  path: ["workflows", "get"],
  section: "Workflows",
  summary: "Show a workflow: its blocks, edges and variables",
  args: "<workflowId>",
  async run(ctx, args) {
    const [id] = positionals(args, ["workflowId"]);
    const { client } = connect(ctx);
    const workflow = await answer(await client.api.workflows[":id"].$get({ param: { id } }));
    if (ctx.globals.json) {
      ctx.out.json(workflow);
      return EXIT.ok;
    }
    const { blocks, edges, variables } = workflow.definition;
    ctx.out.fields([
      ["Name", workflow.name],
      ["ID", workflow.id],
      ["Version", String(workflow.version)],
      ...(workflow.description ? [["Description", workflow.description] as [string, string]] : []),
      ["Updated", when(workflow.updatedAt)],
    ]);
    ctx.out.line();
    ctx.out.table(
      ["BLOCK", "TYPE", "NAME", "PARAMS"],
      blocks.map((block) => [
        block.enabled === false ? `${block.id} ${ctx.out.paint("dim", "(disabled)")}` : block.id,
        block.type,
        block.name ?? "",
        oneLine(block.params ?? {}, 60),
      ]),
    );
    if (edges.length > 0) {
      ctx.out.line();
      for (const edge of edges) ctx.out.line(`${edge.source} ${edge.sourceHandle ? `─${edge.sourceHandle}→` : "→"} ${edge.target}`);
    }
    if (variables && Object.keys(variables).length > 0) {
      ctx.out.line();
      ctx.out.line(`variables ${oneLine(variables, 200)}`);
    }
    return EXIT.ok;
  },
};

const create: Command = {
  path: ["workflows", "create"],
  section: "Workflows",
  summary: "Create a workflow, empty or from a definition file",
  description: [
    "The definition ({ blocks, edges, variables? }) goes through the patch path: if any part of it",
    "would be skipped, nothing is created and each skip is printed with its hint (exit 3). A workflow",
    "that is created with validation errors is printed with them, also exit 3.",
  ].join("\n"),
  options: {
    name: { type: "string", value: "name", description: "Its name (default: Untitled)" },
    description: { type: "string", value: "text", description: "What it is for" },
    definition: { type: "string", value: "file|-", description: "A JSON definition file, or - for stdin" },
  },
  async run(ctx, args) {
    positionals(args, []);
    const definitionPath = stringOption(args, "definition");
    const definition = definitionPath !== undefined ? await jsonFromFile(ctx, definitionPath, "definition") : undefined;
    const { client } = connect(ctx);
    const body = { name: stringOption(args, "name"), description: stringOption(args, "description"), definition };
    let created;
    try {
      // The server checks the definition's shape (400 invalid_body with issues) and its content.
      created = await answer(await client.api.workflows.$post({ json: body as Parameters<typeof client.api.workflows.$post>[0]["json"] }));
    } catch (error) {
      if (error instanceof ApiFailure && error.code === "invalid_definition" && Array.isArray(error.body.skipped_items)) {
        return rejected(ctx, error, error.body.skipped_items as SkippedItemView[]);
      }
      throw error;
    }
    if (ctx.globals.json) ctx.out.json(created);
    else {
      ctx.out.line(`Created workflow ${created.id} "${created.name}" (version ${created.version}).`);
      printValidationErrors(ctx.out, created.validation_errors);
    }
    return created.validation_errors.length > 0 ? EXIT.rejected : EXIT.ok;
  },
};

function rejected(ctx: CommandContext, error: ApiFailure, skipped: SkippedItemView[]) {
  if (ctx.globals.json) ctx.out.json(error.body);
  else {
    ctx.out.line(`Nothing created: ${error.serverMessage}`);
    printSkips(ctx.out, skipped);
  }
  return EXIT.rejected;
}

const remove: Command = {
  path: ["workflows", "delete"],
  section: "Workflows",
  summary: "Delete a workflow (runs in flight finish on their own copy)",
  args: "<workflowId>",
  options: { "if-match": IF_MATCH },
  async run(ctx, args) {
    const [id] = positionals(args, ["workflowId"]);
    const headers = ifMatchHeader(args);
    const { client } = connect(ctx);
    await answer(await client.api.workflows[":id"].$delete({ param: { id } }, { headers }));
    if (ctx.globals.json) ctx.out.json({ id, deleted: true });
    else ctx.out.line(`Deleted workflow ${id}.`);
    return EXIT.ok;
  },
};

export const workflowCommands = [list, get, create, remove];
export { IF_MATCH };
