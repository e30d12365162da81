/**
 * The layer rule (docs/architecture.md) as `npm run lint` applies it: ESLint with the project's
 * own eslint.config.mjs lints probe files placed in each layer, so a deliberate import that points
 * up a layer must fail lint, and one that points down must pass.
 */
import { fileURLToPath } from "node:url";
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, test } from "vitest";

const root = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const eslint = new ESLint({ cwd: root });

/** The layer-rule messages ESLint gives `source` as if it were the file `file` of the project. */
async function layerErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("imports point down the layers only", () => {
  test("lib/engine importing the database fails lint", async () => {
    const errors = await layerErrors("lib/engine/layer-probe.ts", 'import { openDatabase } from "@/db/client";\nexport const probe = openDatabase;\n');
    expect(errors).toEqual([expect.stringContaining("lib/engine (pure")]);
  });

  test("lib/engine importing an I/O package (postgres, node:fs) fails lint", async () => {
    const errors = await layerErrors(
      "lib/engine/layer-probe.ts",
      'import postgres from "postgres";\nimport { readFileSync } from "node:fs";\nexport const probe = [postgres, readFileSync];\n',
    );
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e.includes("does no I/O"))).toBe(true);
  });

  test("a relative import out of a layer folder fails lint, so a path cannot sidestep the rule", async () => {
    const errors = await layerErrors("lib/engine/layer-probe.ts", 'import { getRun } from "../store/runs";\nexport const probe = getRun;\n');
    expect(errors).toEqual([expect.stringContaining('through "@/…"')]);
  });

  test("lib/engine importing lib/engine passes", async () => {
    expect(await layerErrors("lib/engine/layer-probe.ts", 'import { validateDefinition } from "@/lib/engine/validate";\nexport const probe = validateDefinition;\n')).toEqual([]);
  });

  test.each([
    ["lib/store/layer-probe.ts", "@/lib/runtime/runtime", "the store"],
    ["lib/store/layer-probe.ts", "@/lib/runs/start", "the store"],
    ["lib/connectors/layer-probe.ts", "@/lib/store/runs", "lib/connectors"],
    ["lib/net/layer-probe.ts", "@/lib/engine/model", "lib/net"],
    ["lib/sandbox/layer-probe.ts", "@/lib/engine/model", "lib/sandbox"],
    ["lib/sandbox/layer-probe.ts", "@/lib/connectors/code", "lib/sandbox"],
    ["lib/engine/layer-probe.ts", "@/lib/sandbox/run-in-sandbox", "lib/engine"],
    ["lib/resources/layer-probe.ts", "@/lib/store/workflows", "lib/resources"],
    ["lib/runtime/layer-probe.ts", "@/lib/runs/start", "lib/runtime"],
    ["lib/runtime/layer-probe.ts", "@/lib/api/errors", "lib/runtime"],
    ["lib/workflows/layer-probe.ts", "@/lib/api/errors", "the use-cases"],
    ["lib/runs/layer-probe.ts", "@/app/page", "the use-cases"],
    ["lib/api/layer-probe.ts", "@/lib/server", "lib/api"],
    ["lib/mcp/layer-probe.ts", "@/lib/api/errors", "lib/mcp"],
    ["lib/runs/layer-probe.ts", "@/lib/mcp/server", "the use-cases"],
  ])("%s importing %s fails lint", async (file, target, layer) => {
    const errors = await layerErrors(file, `import * as probe from "${target}";\nexport { probe };\n`);
    expect(errors).toEqual([expect.stringContaining(layer)]);
  });

  test.each([
    ["lib/connectors/layer-probe.ts", "@/lib/net/http-guard"],
    ["lib/connectors/layer-probe.ts", "@/lib/sandbox/run-in-sandbox"],
    ["lib/store/layer-probe.ts", "@/lib/resources/run"],
    ["lib/runtime/layer-probe.ts", "@/lib/store/runs"],
    ["lib/runs/layer-probe.ts", "@/lib/runtime/types"],
    ["lib/schedules/layer-probe.ts", "@/lib/runs/start"],
    ["lib/api/layer-probe.ts", "@/lib/workflows/edit"],
    ["lib/api/layer-probe.ts", "@/lib/mcp/server"],
    ["lib/mcp/layer-probe.ts", "@/lib/runs/start"],
    ["cli/layer-probe.ts", "@/lib/api/client"],
    ["cli/commands/layer-probe.ts", "@/cli/connection"],
  ])("%s importing %s (down a layer) passes", async (file, target) => {
    expect(await layerErrors(file, `import * as probe from "${target}";\nexport { probe };\n`)).toEqual([]);
  });

  test.each([
    ["@/lib/store/runs", "cli (a door over HTTP) may import only"],
    ["@/lib/runs/start", "cli (a door over HTTP) may import only"],
    ["@/db/client", "cli (a door over HTTP) may import only"],
    ["@/lib/api", "cli speaks HTTP only"],
    ["@/lib/api/routes/runs", "cli speaks HTTP only"],
    ["postgres", "cli speaks HTTP only"],
    ["openworkflow", "cli speaks HTTP only"],
    ["../lib/store/runs", 'through "@/…"'],
  ])("the CLI importing %s fails lint: it speaks only HTTP, through the typed client", async (target, message) => {
    const errors = await layerErrors("cli/layer-probe.ts", `import * as probe from "${target}";\nexport { probe };\n`);
    expect(errors).toEqual([expect.stringContaining(message)]);
  });

  test("nothing else imports the CLI", async () => {
    const errors = await layerErrors("lib/api/layer-probe.ts", 'import * as probe from "@/cli/main";\nexport { probe };\n');
    expect(errors).toEqual([expect.stringContaining("lib/api")]);
  });
});
