import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiDocument } from "@/app/docs/api/openapi-document";
import { buildReference, type ReferenceOperation } from "@/app/docs/api/reference";
import { openApiDocument } from "@/lib/api/openapi";
import { createAppWithAgent, type AppWithAgent } from "../helpers/api";
import { serveApi, type ServedApi } from "../helpers/serve";

const run = promisify(execFile);

/** Runs an example as a reader would paste it, in a shell where URL and KEY are set; its status and body. */
async function paste(command: string, env: { URL: string; KEY: string }): Promise<{ status: number; body: string }> {
  const { stdout } = await run("bash", ["-euo", "pipefail", "-c", `${command} -s -w '\\n%{http_code}'`], { env: { ...process.env, ...env }, timeout: 20_000 });
  const at = stdout.lastIndexOf("\n");
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
}

describe("the API reference's curl examples, run as written against a server", () => {
  let setup: AppWithAgent;
  let served: ServedApi;
  let operations: ReferenceOperation[];

  beforeAll(async () => {
    setup = await createAppWithAgent();
    served = await serveApi(setup.app);
    operations = buildReference(openApiDocument(setup.app.api) as ApiDocument).tags.flatMap((tag) => tag.operations);
  });
  afterAll(async () => {
    await served?.close();
    await setup?.app.close();
  });

  it("every GET without path parameters answers 2xx with an API key, or 403 where the document says a role is needed", async () => {
    const reads = operations.filter((operation) => operation.method === "get" && !operation.path.includes("{"));
    expect(reads.length).toBeGreaterThan(8);
    for (const operation of reads) {
      const { status } = await paste(operation.curl, { URL: served.url, KEY: setup.agent["x-api-key"] });
      const allowed = operation.responses.some((response) => response.status === "403") ? [200, 403] : [200];
      expect(allowed, `${operation.curl} → ${status}`).toContain(status);
    }
  });

  it("the MCP example initializes a session with the server", async () => {
    const mcp = operations.find((operation) => operation.path === "/api/mcp" && operation.method === "post");
    expect(mcp, "POST /api/mcp is in the document").toBeDefined();
    const { status, body } = await paste(mcp!.curl, { URL: served.url, KEY: setup.agent["x-api-key"] });
    expect(status, body).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ jsonrpc: "2.0", id: 1, result: { serverInfo: { name: expect.any(String) }, capabilities: { tools: expect.any(Object) } } });
  });
});
