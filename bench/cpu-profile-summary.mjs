/**
 * `node bench/cpu-profile-summary.mjs <file.cpuprofile> [top]`: the functions and packages a V8
 * CPU profile spent its samples in (self time), heaviest first, to read a profile on a terminal.
 */
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const total = profile.samples.length;
const fn = new Map();
const pkg = new Map();
for (const [id, n] of counts) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const where = url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "nm:");
  const key = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + n);
  const p = url === "" ? functionName : url.startsWith("node:") ? "node:" + url.slice(5).split("/")[0] : /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? url.replace(/.*\/(dist|lib|app|worker|scripts)\//, "$1/");
  pkg.set(p, (pkg.get(p) ?? 0) + n);
}
const show = (title, map) => {
  console.log(`\n${title} (${total} samples)`);
  for (const [k, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * n) / total).toFixed(1).padStart(5)} %  ${k}`);
};
show("by package or file", pkg);
show("by function", fn);
