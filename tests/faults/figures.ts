/**
 * The figures the fault suite measures (runs lost, duplicate completed blocks, recovery times…),
 * kept in bench/faults-results.json so a later script can put them in bench/RESULTS.md. Test
 * files run one after another and each merges its own figures in; the reporter prints them.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";

export const FIGURES_FILE = resolve(import.meta.dirname, "../../bench/faults-results.json");

export interface Figure {
  value: number;
  unit: string;
  /** What was measured, and how. */
  note: string;
}

export interface FiguresFile {
  command: string;
  machine: string;
  startedAt: string;
  finishedAt?: string;
  tests?: { passed: number; failed: number; skipped: number };
  figures: Record<string, Figure>;
}

export function readFigures(): FiguresFile | null {
  if (!existsSync(FIGURES_FILE)) return null;
  return JSON.parse(readFileSync(FIGURES_FILE, "utf8")) as FiguresFile;
}

export function writeFigures(file: FiguresFile): void {
  writeFileSync(FIGURES_FILE, `${JSON.stringify(file, null, 2)}\n`);
}

/** Starts a fresh file (the suite's global setup). */
export function resetFigures(): void {
  writeFigures({
    command: "npm run test:faults",
    machine: `${cpus().length} cores, Node ${process.version}`,
    startedAt: new Date().toISOString(),
    figures: {},
  });
}

/** Records one figure (and prints it, so a failing run still shows what was measured). */
export function recordFigure(name: string, value: number, unit: string, note: string): void {
  const file = readFigures();
  if (!file) throw new Error(`${FIGURES_FILE} is missing: run the fault suite through vitest.faults.config.ts`);
  file.figures[name] = { value, unit, note };
  writeFigures(file);
  console.log(`[faults] ${name}: ${value} ${unit} (${note})`);
}
