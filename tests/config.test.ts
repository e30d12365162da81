import { describe, expect, it } from "vitest";
import { ConfigError, baseUrl, loadConfig } from "@/lib/config";

describe("configuration", () => {
  it("fills every default from an empty environment", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, WEFT_SIGNUP: "open", WEFT_RATE_LIMIT_PER_MIN: 60, WEFT_ALLOW_PRIVATE_HTTP: false });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(baseUrl(config)).toBe("http://localhost:3000");
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", PORT: "" }).PORT).toBe(3000);
  });

  it("names every bad variable in one readable error", () => {
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", WEFT_SIGNUP: "maybe", WEFT_SECRETS_KEY: "c2hvcnQ=" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const name of ["PORT", "DATABASE_URL", "WEFT_SIGNUP", "WEFT_SECRETS_KEY"]) expect(message).toContain(`${name}:`);
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(["DATABASE_URL", "PORT", "WEFT_SECRETS_KEY", "WEFT_SIGNUP"]);
    }
  });

  it("WEFT_LAYOUT_FOLD_MS defaults to 5000 ms, 0 turns folding off, and it must be a whole number of ms", () => {
    expect(loadConfig({}).WEFT_LAYOUT_FOLD_MS).toBe(5_000);
    expect(loadConfig({ WEFT_LAYOUT_FOLD_MS: "0" }).WEFT_LAYOUT_FOLD_MS).toBe(0);
    expect(loadConfig({ WEFT_LAYOUT_FOLD_MS: "1500" }).WEFT_LAYOUT_FOLD_MS).toBe(1_500);
    for (const bad of ["-1", "1.5", "soon"]) {
      expect(() => loadConfig({ WEFT_LAYOUT_FOLD_MS: bad }), bad).toThrow(/WEFT_LAYOUT_FOLD_MS:/);
    }
  });

  it("retention: 30 days by default, 1–3650 accepted; the sweeper runs every 5 minutes in batches of 500 unless told otherwise (0 turns it off)", () => {
    expect(loadConfig({})).toMatchObject({ WEFT_RETENTION_DAYS: 30, WEFT_RETENTION_SWEEP_INTERVAL_MS: 300_000, WEFT_RETENTION_BATCH_SIZE: 500 });
    expect(loadConfig({ WEFT_RETENTION_DAYS: "7", WEFT_RETENTION_SWEEP_INTERVAL_MS: "0" })).toMatchObject({ WEFT_RETENTION_DAYS: 7, WEFT_RETENTION_SWEEP_INTERVAL_MS: 0 });
    for (const bad of ["0", "3651", "1.5", "forever"]) {
      expect(() => loadConfig({ WEFT_RETENTION_DAYS: bad }), bad).toThrow(/WEFT_RETENTION_DAYS:/);
    }
    expect(() => loadConfig({ WEFT_RETENTION_BATCH_SIZE: "0" })).toThrow(/WEFT_RETENTION_BATCH_SIZE:/);
  });

  it("the rate-limit store is memory unless WEFT_RATE_LIMIT_STORE=postgres", () => {
    expect(loadConfig({}).WEFT_RATE_LIMIT_STORE).toBe("memory");
    expect(loadConfig({ WEFT_RATE_LIMIT_STORE: "postgres" }).WEFT_RATE_LIMIT_STORE).toBe("postgres");
    expect(() => loadConfig({ WEFT_RATE_LIMIT_STORE: "redis" })).toThrow(/WEFT_RATE_LIMIT_STORE:/);
  });

  it("WEFT_ORG_MAX_RUNNING defaults to 25, 0 turns the cap off, and it must be a whole number ≥ 0", () => {
    expect(loadConfig({}).WEFT_ORG_MAX_RUNNING).toBe(25);
    expect(loadConfig({ WEFT_ORG_MAX_RUNNING: "0" }).WEFT_ORG_MAX_RUNNING).toBe(0);
    expect(loadConfig({ WEFT_ORG_MAX_RUNNING: "3" }).WEFT_ORG_MAX_RUNNING).toBe(3);
    for (const bad of ["-1", "2.5", "many"]) {
      expect(() => loadConfig({ WEFT_ORG_MAX_RUNNING: bad }), bad).toThrow(/WEFT_ORG_MAX_RUNNING:/);
    }
  });

  it("parses flags and numbers", () => {
    const config = loadConfig({ WEFT_ALLOW_PRIVATE_HTTP: "1", WORKER_CONCURRENCY: "4", WEFT_BASE_URL: "https://weft.example.com/" });
    expect(config.WEFT_ALLOW_PRIVATE_HTTP).toBe(true);
    expect(config.WORKER_CONCURRENCY).toBe(4);
    expect(baseUrl(config)).toBe("https://weft.example.com");
  });
});
