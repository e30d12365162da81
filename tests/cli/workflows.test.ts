/**
 * `weft workflows …` and `weft patch` (docs/cli.md, docs/patch-endpoint.md), run as the built binary
 * with WEFT_URL and WEFT_API_KEY against a control plane over real HTTP: a broken batch exits 3
 * and prints every skip with its code and hint (and parses with --json), the repair exits 0, and
 * --dry-run, --atomic and --if-match keep their promises.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createAppWithAgent, type AppWithAgent } from "../helpers/api";
import { serveApi, type ServedApi } from "../helpers/serve";
import { runCli, tempHome } from "./support";

let setup: AppWithAgent;
let server: ServedApi;
const home = tempHome();

beforeAll(async () => {
  setup = await createAppWithAgent();
  server = await serveApi(setup.app);
});

afterAll(async () => {
  await server?.close();
  await setup?.app.close();
  home.remove();
});

/** `weft args…` as the agent's key. */
const weft = (args: string[], input?: string) =>
  runCli(args, { home: home.home, input, env: { WEFT_URL: server.url, WEFT_API_KEY: setup.agent["x-api-key"] } });

/** Writes `content` as JSON into the temp home; answers its path. */
function jsonFile(name: string, content: unknown): string {
  const path = join(home.home, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

async function workflowVersion(id: string): Promise<number> {
  const res = await call(setup.app, "GET", `/api/workflows/${id}`, { headers: setup.agent });
  return res.body.version;
}

/** A batch with two mistakes: an unregistered type, and a connect to the block that therefore does not exist. */
const BROKEN = [
  { operation_type: "add", block_id: "trg", type: "trigger_manual" },
  { operation_type: "add", block_id: "hello", type: "greeter", params: { name: "{{trg.name}}" } },
  { operation_type: "connect", block_id: "trg", target_block_id: "hello" },
];
const REPAIR = [
  { operation_type: "add", block_id: "hello", type: "greet", params: { name: "{{trg.name}}" } },
  { operation_type: "connect", block_id: "trg", target_block_id: "hello" },
];

describe("weft workflows and weft patch", () => {
  let id: string;

  it("workflows create makes an empty workflow and prints its id; --json gives the resource", async () => {
    const created = await weft(["workflows", "create", "--name", "Greeter", "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const workflow = JSON.parse(created.stdout);
    expect(workflow).toMatchObject({ name: "Greeter", version: 1, definition: { blocks: [], edges: [] } });
    id = workflow.id;
    const human = await weft(["workflows", "create", "--name", "Scratch"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Created workflow wf_\w+ "Scratch" \(version 1\)\.$/m);
  });

  it("a broken batch exits 3 and prints the summary, then each skip with its reason code and hint", async () => {
    const result = await weft(["patch", id, jsonFile("broken.json", BROKEN)]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toContain("Skipped ops (2):");
    expect(result.stdout).toMatch(/op 1 add hello: block_type_not_registered\n {4}.+\n {4}hint: .*greet/);
    expect(result.stdout).toMatch(/op 2 connect trg: invalid_edge_target\n {4}.+\n {4}hint: /);
    // The server's summary comes first.
    expect(result.stdout).toMatch(/^Applied 1 of 3 ops; skipped 2\.\nSaved as version 2\./);
  });

  it("with --json the patch answer parses, with its skipped_items and ok: false", async () => {
    const result = await weft(["patch", id, "-", "--json", "--dry-run"], JSON.stringify({ ops: BROKEN }));
    expect(result.code).toBe(3);
    const answer = JSON.parse(result.stdout);
    expect(answer.ok).toBe(false);
    expect(answer.skipped_items.map((item: { reason_code: string }) => item.reason_code)).toEqual(["block_already_exists", "block_type_not_registered", "invalid_edge_target"]);
    expect(answer.skipped_items.every((item: { hint: string }) => item.hint.length > 0)).toBe(true);
  });

  it("--dry-run saves nothing and --atomic saves nothing when an op is skipped", async () => {
    const before = await workflowVersion(id);
    const dry = await weft(["patch", id, jsonFile("repair.json", REPAIR), "--dry-run"]);
    expect(dry.code, dry.stdout).toBe(0);
    expect(dry.stdout).toContain("dry run");
    const atomic = await weft(["patch", id, jsonFile("half.json", [REPAIR[0], { operation_type: "remove", block_id: "nope" }]), "--atomic"]);
    expect(atomic.code).toBe(3);
    expect(atomic.stdout).toContain("block_not_found");
    expect(await workflowVersion(id)).toBe(before);
  });

  it("a stale --if-match exits 1 with version_mismatch and the current version", async () => {
    const current = await workflowVersion(id);
    const result = await weft(["patch", id, jsonFile("repair.json", REPAIR), "--if-match", String(current + 5)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("(version_mismatch, HTTP 412)");
    expect(result.stderr).toContain(`--if-match ${current}`);
    expect(await workflowVersion(id)).toBe(current);
  });

  it("the repaired batch exits 0 and saves a new version", async () => {
    const before = await workflowVersion(id);
    const result = await weft(["patch", id, jsonFile("repair.json", REPAIR), "--if-match", String(before)]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).not.toContain("Skipped ops");
    expect(await workflowVersion(id)).toBe(before + 1);
  });

  it("workflows list and get show the workflow; --json parses", async () => {
    const list = await weft(["workflows", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+VERSION/);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+Greeter\\s+3\\s+2`));
    const filtered = JSON.parse((await weft(["workflows", "list", "--query", "scr", "--json"])).stdout);
    expect(filtered.data.map((w: { name: string }) => w.name)).toEqual(["Scratch"]);
    const get = await weft(["workflows", "get", id]);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/hello\s+greet\s+\{"name":"\{\{trg\.name\}\}"\}/);
    expect(get.stdout).toContain("trg → hello");
    expect(JSON.parse((await weft(["workflows", "get", id, "--json"])).stdout).definition.blocks).toHaveLength(2);
  });

  it("workflows create with a definition that would skip creates nothing (exit 3, skips printed)", async () => {
    const definition = { blocks: [{ id: "trg", type: "trigger_manual" }, { id: "x", type: "nonsense" }], edges: [] };
    const before = (await call(setup.app, "GET", "/api/workflows", { headers: setup.agent })).body.data.length;
    const result = await weft(["workflows", "create", "--name", "Bad", "--definition", jsonFile("bad.json", definition)]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("Nothing created");
    expect(result.stdout).toContain("block_type_not_registered");
    expect((await call(setup.app, "GET", "/api/workflows", { headers: setup.agent })).body.data.length).toBe(before);
  });

  it("workflows delete removes it; reading it afterwards is exit 1 with not_found", async () => {
    const scratch = JSON.parse((await weft(["workflows", "create", "--name", "Doomed", "--json"])).stdout).id;
    const deleted = await weft(["workflows", "delete", scratch]);
    expect(deleted.code, deleted.stderr).toBe(0);
    const get = await weft(["workflows", "get", scratch]);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain("(not_found, HTTP 404)");
  });
});
