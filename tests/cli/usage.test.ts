/**
 * The CLI's command line itself (docs/cli.md): help everywhere, usage errors exit 2 with the
 * command's usage, an unknown command exits 2 with the overview, and a server that does not
 * answer is exit 1 with a message saying so. No control plane needed.
 */
import { afterAll, describe, expect, it } from "vitest";
import { COMMANDS } from "@/cli/main";
import { closedPort, runCli, tempHome } from "./support";

const home = tempHome();
afterAll(() => home.remove());

describe("weft's command line", () => {
  it("--help lists every command and the exit codes, exit 0", async () => {
    const result = await runCli(["--help"], { home: home.home });
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(command.path.join(" "));
    expect(result.stdout).toMatch(/Exit codes: 0 ok, 1 failure .* 2 usage error,\s+3 skipped ops or validation errors/);
  });

  it("every command answers --help with its usage on stdout, exit 0, without contacting a server", async () => {
    const results = await Promise.all(COMMANDS.map((command) => runCli([...command.path, "--help"], { home: home.home })));
    results.forEach((result, i) => {
      expect(result.code, COMMANDS[i].path.join(" ")).toBe(0);
      expect(result.stdout).toContain(`Usage: weft ${COMMANDS[i].path.join(" ")}`);
      expect(result.stdout).toContain("--json");
    });
  });

  it("a group without its command (weft keys) prints the group's commands and exits 2; with --help, 0", async () => {
    const bare = await runCli(["keys"], { home: home.home });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("weft keys needs a command");
    expect(bare.stderr).toContain("keys revoke <keyId>");
    const help = await runCli(["workflows", "--help"], { home: home.home });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: weft workflows <list|get|create|delete>");
  });

  it("an unknown command exits 2 and prints the overview", async () => {
    const result = await runCli(["frobnicate"], { home: home.home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stderr).toContain("Usage: weft <command> [options]");
    expect(result.stdout).toBe("");
  });

  it.each([
    [["workflows", "get"], "missing <workflowId>"],
    [["workflows", "list", "--bogus"], "Unknown option '--bogus'"],
    [["patch", "wf_x"], "missing <ops.json|->"],
    [["runs", "list", "--limit", "1000"], "--limit must be a whole number from 1 to 100"],
    [["events", "send", "approve"], "give exactly one of --run <runId> or --key <key>"],
    [["run", "wf_x", "--input", "{not json"], "--input is not valid JSON"],
    [["patch", "wf_x", "/nonexistent/ops.json"], "cannot read ops file /nonexistent/ops.json: ENOENT"],
    [["workflows", "delete", "wf_x", "--if-match", "three"], "--if-match must be a whole number"],
  ])("weft %j is a usage error (exit 2): %s", async (args, message) => {
    const result = await runCli(args, { home: home.home, env: { WEFT_URL: "http://127.0.0.1:9", WEFT_API_KEY: "weft_x" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(`usage: weft ${args[0]}`);
  });

  it("without a server or a login, commands say how to log in (exit 1)", async () => {
    const result = await runCli(["workflows", "list"], { home: home.home });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no Weft server chosen");
    expect(result.stderr).toContain("weft login");
  });

  it("a server that does not answer exits 1 and says it could not be reached", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(["workflows", "list"], { home: home.home, env: { WEFT_URL: url, WEFT_API_KEY: "weft_x" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`could not reach Weft at ${url} (connection refused)`);
    expect(result.stderr).toContain("Is the server running?");
    const json = await runCli(["runs", "list", "--json"], { home: home.home, env: { WEFT_URL: url, WEFT_API_KEY: "weft_x" } });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: "unreachable" });
  });

  it("--version prints the package version", async () => {
    const result = await runCli(["--version"], { home: home.home });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
