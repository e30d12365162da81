/**
 * The `weft` executable (package.json `bin`, built to dist/cli/weft.js by scripts/build-cli.mjs):
 * runs the command line, then exits with its code once stdout and stderr are flushed (a piped
 * stdout is written asynchronously; exiting earlier would cut a long `--json` answer short).
 */
import { main } from "./main";

// `weft … | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
