/** Structured JSON logs (pino), one logger per process; children carry a request id or run id. */
import pino from "pino";

/** The process logger at `level` (LOG_LEVEL). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? "info"): pino.Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type Logger = pino.Logger;
