/**
 * The repair loop, end to end, against a running Weft (`npm start`):
 *
 *   npm run example:repair                                   # signs a throwaway user up at http://localhost:3000
 *   WEFT_URL=https://weft.example.com WEFT_API_KEY=weft_… npm run example:repair
 *
 * A scripted agent (examples/repair-loop/scripted-model.ts) proposes a workflow with seven
 * mistakes models really make, reads `skipped_items` and `validation_errors`, fixes its next batch
 * from their codes and structured fixes alone, reaches `ok: true`, runs the workflow and prints
 * each round and the run's output. It talks to nothing but Weft.
 *
 * Environment: WEFT_URL (default http://localhost:3000); WEFT_API_KEY (an organization API key;
 * without it a throwaway user is signed up and a key minted, which needs open sign-up);
 * WEFT_REPAIR_STRIP_HINTS=1 deletes every hint and `details` before the agent reads an answer
 * (it then gets stuck: the proof it knows nothing the answers do not say).
 * Exit codes: 0 the run succeeded; 1 the loop or the run failed; 2 bad configuration.
 *
 * Real-model mode (the seam): with OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL set, the same
 * loop is meant to drive a real model through Weft's MCP server. Not built yet; see the README
 * ("Repair loop") for what remains.
 */
import { runRepairLoop } from "./repair-loop/loop";
import { httpTransport, signUpForKey } from "./repair-loop/http-transport";
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
  const openai = ["OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"].filter((name) => process.env[name]);
  if (openai.length > 0) {
    // SEAM (issue 13, real-model mode): build `mcpTransport(url, key)` beside http-transport.ts on
    // @modelcontextprotocol/sdk's Client + StreamableHTTPClientTransport (`${url}/api/mcp`, Bearer
    // key), and an OpenAI-compatible chat-completions tool loop as a second driver: the MCP tools
    // (tools/list) become the chat tools, each tool call goes to client.callTool, its result back
    // as a tool message, until the model calls run_workflow and answers.
    exit(2, `Real-model mode (${openai.join(", ")} set) needs Weft's MCP server and is not built into this example yet. Unset OPENAI_* to run the scripted agent.`);
  }
  const health = await fetch(new URL("/api/health", url)).catch((error: unknown) => exit(1, `Cannot reach Weft at ${url.origin}: ${String(error)}. Is \`npm start\` running?`));
  if (!health.ok) exit(1, `${url.origin}/api/health answered ${health.status}: is this a Weft server?`);
  let key = process.env.WEFT_API_KEY?.trim();
  let who = "with WEFT_API_KEY";
  if (!key) {
    const signedUp = await signUpForKey(url.origin);
    key = signedUp.key;
    who = `as ${signedUp.email} (signed up just now)`;
  }
  const transport = httpTransport(url.origin, key);
  const stripHints = process.env.WEFT_REPAIR_STRIP_HINTS === "1";
  console.log(`Weft repair loop: a scripted agent over ${transport.description}, ${who}${stripHints ? "; hints and details stripped" : ""}.`);
  try {
    const outcome = await runRepairLoop(transport, scriptedModel(url.origin), {
      maxRounds: 3,
      input: RUN_INPUT,
      waitSeconds: 60,
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
