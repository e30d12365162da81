/**
 * Every environment variable Weft reads, validated once with zod (STYLE: one module).
 * `loadConfig` throws a ConfigError naming each bad variable; `.env.example` lists them all.
 */
import { isIP } from "node:net";
import { z } from "zod";

const flag = z
  .enum(["0", "1", "true", "false"])
  .transform((v) => v === "1" || v === "true");

const port = z.coerce.number().int().min(1).max(65_535);

/** One WEFT_TRUSTED_PROXIES entry: an IPv4/IPv6 address or CIDR; null when it is neither. */
export function parseProxyEntry(entry: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | null {
  const [address, prefixText, extra] = entry.trim().split("/");
  const version = isIP(address ?? "");
  if (extra !== undefined || version === 0) return null;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** A comma-separated list of proxy addresses or CIDRs (empty: none). */
const proxyList = z
  .string()
  .transform((v) => v.split(",").map((entry) => entry.trim()).filter((entry) => entry.length > 0))
  .refine((entries) => entries.every((entry) => parseProxyEntry(entry) !== null), "must be comma-separated IP addresses or CIDRs, e.g. 10.0.0.5,10.1.0.0/16");

/**
 * WEFT_ORG_MAX_RUNNING's default. It does not bind at the default scale (one worker of 10), so a
 * single-tenant installation runs as before, while on a scaled-out one no organization can hold
 * more than 25 slots: the others keep room even while one has a long backlog of slow runs.
 */
export const DEFAULT_ORG_MAX_RUNNING = 25;

/** WEFT_RETENTION_DAYS's default. */
export const DEFAULT_RETENTION_DAYS = 30;

/** Retention accepted, for the instance and per organization: at least a day (run idempotency keys hold for 24 hours), at most ten years. */
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 3650;

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** PostgreSQL connection string. Unset: `npm start` boots an embedded server under `.data/`. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /** The Postgres schema of Weft's tables (openworkflow's go in `<schema>_openworkflow`, or `openworkflow` for public). */
  WEFT_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,47}$/, "must be lowercase letters, digits and _ (at most 48, not starting with a digit)")
    .default("public"),
  /** Port of the web app. */
  PORT: port.default(3000),
  /** The app's public URL: better-auth's base URL and the allowed Origin of cookie requests. */
  WEFT_BASE_URL: z.url().optional(),
  /** Signs sessions (better-auth). `npm start` generates a development one under `.data/`. */
  BETTER_AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** 32 bytes, base64: encrypts org secrets at rest (AES-256-GCM). Generated under `.data/` by `npm start`. */
  WEFT_SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes encoded as base64")
    .optional(),
  /** Who may sign up: open (default), closed (first user only), invite (pending invitation only). */
  WEFT_SIGNUP: z.enum(["open", "closed", "invite"]).default("open"),
  /** better-auth's own per-IP limiter on sign-in/sign-up (lib/auth.ts): on (default) or off (e2e). */
  WEFT_AUTH_RATE_LIMIT: z.enum(["on", "off"]).default("on"),
  /** Requests per minute per (organization, API key) on the control plane. */
  WEFT_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(60),
  /** Requests per minute per (organization, signed-in user): the web app's pages refresh live, so people get more. */
  WEFT_SESSION_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Inbound webhook calls per minute per endpoint. */
  WEFT_WEBHOOK_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /**
   * Where the control plane's rate-limit buckets live: memory (default; each web instance has
   * budgets of its own) or postgres (every instance on the database shares them).
   */
  WEFT_RATE_LIMIT_STORE: z.enum(["memory", "postgres"]).default("memory"),
  /** Days finished runs, their logs and events are kept before workers delete them; organizations may choose their own (1–3650). */
  WEFT_RETENTION_DAYS: z.coerce.number().int().min(MIN_RETENTION_DAYS).max(MAX_RETENTION_DAYS).default(DEFAULT_RETENTION_DAYS),
  /** Milliseconds between a worker's retention sweeps; 0 turns this worker's sweeper off. */
  WEFT_RETENTION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  /** Runs (or events) deleted per statement by the retention sweeper. */
  WEFT_RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  /**
   * Reverse proxies in front of the web app whose `X-Forwarded-For` names the client, for the
   * per-IP limit on sign-in and sign-up (lib/api/client-address.ts). Unset: no proxy is trusted
   * and the socket address is the client.
   */
  WEFT_TRUSTED_PROXIES: proxyList.default([]),
  /** Time a client has to send its request headers to the web app (scripts/peer-address.mjs, loaded by `npm start`). */
  WEFT_HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(20_000),
  /** Time a client has to send its whole request, body included; a slower one gets 408 and is disconnected. */
  WEFT_HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1).max(3_600_000).default(60_000),
  /**
   * Milliseconds within which one actor's position-only saves (the editor's drags) fold into one
   * history entry; 0 turns folding off (docs/patch-endpoint.md, "History").
   */
  WEFT_LAYOUT_FOLD_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
  /** Let http_request and send_email reach private, loopback and link-local addresses (tests use it for local servers). */
  WEFT_ALLOW_PRIVATE_HTTP: flag.default(false),
  /** Runs one worker process executes at once. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(10),
  /**
   * Runs of one organization executing at once across all workers, unless the organization has an
   * override (`organization_admission.max_running`); 0 = no cap (docs/runs.md, "Admission").
   */
  WEFT_ORG_MAX_RUNNING: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_ORG_MAX_RUNNING),
  /** Where `npm start` keeps local state: the embedded database and development secrets. */
  WEFT_DATA_DIR: z.string().default(".data"),
  /** Port of the embedded PostgreSQL that `npm start` boots when DATABASE_URL is unset. */
  WEFT_EMBEDDED_PG_PORT: port.default(54329),
  /** pino log level. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      "Invalid environment:\n" + problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n") +
        "\nSee .env.example for every variable and its default.",
    );
    this.name = "ConfigError";
  }
}

/** Reads and validates the environment; empty strings count as unset. Throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = ConfigSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? "environment"), message: issue.message })),
  );
}

/** The app's public URL, from WEFT_BASE_URL or the port. */
export function baseUrl(config: Config): string {
  return (config.WEFT_BASE_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, "");
}
