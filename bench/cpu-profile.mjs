/**
 * A preload (`NODE_OPTIONS=--import=…/bench/cpu-profile.mjs`) that writes a V8 CPU profile of the
 * process to $BENCH_CPU_PROF/<role>-<pid>.cpuprofile when it exits: `--cpu-prof` itself is not
 * allowed in NODE_OPTIONS, and benchmarks that start the app as `npm start` does reach its
 * processes only through the environment (bench/webhook-shape.ts). Open the files in Chrome
 * DevTools (Performance) or summarize them with `node bench/cpu-profile-summary.mjs <file>`.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const dir = process.env.BENCH_CPU_PROF;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  const args = process.argv.slice(1).join(" ");
  const role = args.includes("next") ? "web" : args.includes("worker") ? "worker" : args.includes("migrate") ? "migrate" : "supervisor";
  process.on("exit", () => {
    // The main thread's session answers synchronously, so this runs to its end inside "exit".
    session.post("Profiler.stop", (error, result) => {
      if (!error) writeFileSync(join(dir, `${role}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
