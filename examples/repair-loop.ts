/**
 * The repair loop, end to end, against a running Weft (`npm start`):
 *
 *   npm run example:repair                                   # signs a throwaway user up at http://localhost:3000
 *   WEFT_URL=https://weft.example.com WEFT_API_KEY=weft_… npm run example:repair
 *   WEFT_TRANSPORT=mcp npm run example:repair                # the same agent through the MCP server
 *
 * A scripted agent (examples/repair-loop/scripted-model.ts) proposes a workflow with eight
 * mistakes models really make, reads `skipped_items` and `validation_errors`, fixes its next batch
 * from their codes and structured fixes alone, reaches `ok: true`, runs the workflow and prints
 * each round and the run's output. It talks to nothing but Weft.
 *
 * Environment: WEFT_URL (default http://localhost:3000); WEFT_API_KEY (an organization API key;
 * without it a throwaway user is signed up and a key minted, which needs open sign-up);
 * WEFT_TRANSPORT=http (default: the HTTP API) or mcp (the MCP server at /api/mcp, same tools);
 * WEFT_REPAIR_STRIP_HINTS=1 deletes every hint and `details` before the agent reads an answer
 * (it then gets stuck: the proof it knows nothing the answers do not say).
 * Exit codes: 0 the run succeeded; 1 the loop or the run failed; 2 bad configuration.
 *
 * Real-model mode: with OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL set, an
 * OpenAI-compatible chat-completions model drives Weft's MCP server with tool calls instead
 * (examples/repair-loop/model-driver.ts): it gets the task in words and every tool the server
 * lists, and repairs from the same answers.
 */
import { runRepairLoop } from "./repair-loop/loop";
import { runModelLoop } from "./repair-loop/model-driver";
import { httpTransport, signUpForKey } from "./repair-loop/http-transport";
import { mcpTransport } from "./repair-loop/mcp-transport";
import { scriptedModel } from "./repair-loop/scripted-model";
import { ToolError } from "./repair-loop/tools";

const RUN_INPUT = { name: "Ada" };

function exit(code: number, message: string): never {
  console.error(message);
  process.exit(code);
}

async function main(): Promise<number> {
  const rawUrl = process.env.WEFT_URL?.trim() || "http://localhost:3000";
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    exit(2, `WEFT_URL is not a URL: ${rawUrl}`);
  }
  const openai = ["OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"];
  const openaiSet = openai.filter((name) => process.env[name]?.trim());
  if (openaiSet.length > 0 && openaiSet.length < openai.length) {
    exit(2, `Real-model mode needs all of ${openai.join(", ")}; missing ${openai.filter((n) => !openaiSet.includes(n)).join(", ")}.`);
  }
  const kind = process.env.WEFT_TRANSPORT?.trim() || "http";
  if (kind !== "http" && kind !== "mcp") exit(2, `WEFT_TRANSPORT must be http or mcp, not ${kind}`);
  const health = await fetch(new URL("/api/health", url)).catch((error: unknown) => exit(1, `Cannot reach Weft at ${url.origin}: ${String(error)}. Is \`npm start\` running?`));
  if (!health.ok) exit(1, `${url.origin}/api/health answered ${health.status}: is this a Weft server?`);
  let key = process.env.WEFT_API_KEY?.trim();
  let who = "with WEFT_API_KEY";
  if (!key) {
    const signedUp = await signUpForKey(url.origin);
    key = signedUp.key;
    who = `as ${signedUp.email} (signed up just now)`;
  }
  if (openaiSet.length === openai.length) {
    const settings = { baseUrl: process.env.OPENAI_BASE_URL!.trim(), apiKey: process.env.OPENAI_API_KEY!.trim(), model: process.env.OPENAI_MODEL!.trim() };
    console.log(`Weft repair loop: ${settings.model} (${settings.baseUrl}) over MCP ${url.origin}/api/mcp, ${who}.`);
    const outcome = await runModelLoop(url.origin, key, settings, { input: RUN_INPUT, print: (line) => console.log(line) });
    console.log(`\nThe model said: ${outcome.text}`);
    if (!outcome.ok) {
      console.error(`Failed after ${outcome.calls} tool calls: ${outcome.runId ? `run ${outcome.runId} is ${outcome.runStatus}` : "no run was started"}.`);
      return 1;
    }
    console.log(`Done: ${outcome.calls} tool calls, run ${outcome.runId} succeeded.`);
    return 0;
  }
  const transport = kind === "mcp" ? await mcpTransport(url.origin, key) : httpTransport(url.origin, key);
  const stripHints = process.env.WEFT_REPAIR_STRIP_HINTS === "1";
  console.log(`Weft repair loop: a scripted agent over ${transport.description}, ${who}${stripHints ? "; hints and details stripped" : ""}.`);
  try {
    const outcome = await runRepairLoop(transport, scriptedModel(url.origin), {
      maxRounds: 3,
      input: RUN_INPUT,
      waitSeconds: 30, // the MCP server's run_workflow waits at most 30 s
      stripHints,
      print: (line) => console.log(line),
    });
    console.log("");
    if (!outcome.ok) {
      console.error(`Failed after ${outcome.rounds} round${outcome.rounds === 1 ? "" : "s"}: ${outcome.reason}`);
      return 1;
    }
    console.log(`Done: ok in ${outcome.rounds} round${outcome.rounds === 1 ? "" : "s"}, run ${outcome.run.id} succeeded.`);
    return 0;
  } finally {
    await transport.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => exit(1, error instanceof ToolError ? `Weft refused ${error.message}: ${JSON.stringify(error.body)}` : String(error instanceof Error ? (error.stack ?? error) : error)),
);
