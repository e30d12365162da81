/**
 * The runtime's pure timing rules: block retry backoff and the wait_for_event heartbeat.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, eventHeartbeatMs, maxAttempts, NO_TIMEOUT_HORIZON_MS, retryDelayMs } from "@/lib/runtime/backoff";

describe("block retry", () => {
  it("no retry policy means exactly one attempt", () => {
    expect(maxAttempts(undefined)).toBe(1);
    expect(maxAttempts({ maxAttempts: 4 })).toBe(4);
  });

  it("attempt k waits initialMs × factor^(k−2), capped at maxMs; the first attempt never waits", () => {
    const retry = { maxAttempts: 6, backoff: { initialMs: 100, factor: 3, maxMs: 1_000 } };
    expect([1, 2, 3, 4, 5, 6].map((k) => retryDelayMs(retry, k))).toEqual([0, 100, 300, 900, 1_000, 1_000]);
  });

  it("a policy without backoff uses the default one", () => {
    expect(retryDelayMs({ maxAttempts: 3 }, 2)).toBe(DEFAULT_BACKOFF.initialMs);
    expect(retryDelayMs({ maxAttempts: 3 }, 3)).toBe(DEFAULT_BACKOFF.initialMs * DEFAULT_BACKOFF.factor);
  });

  it("a huge exponent stays finite and capped", () => {
    expect(retryDelayMs({ maxAttempts: 20, backoff: { initialMs: 3_600_000, factor: 10, maxMs: 86_400_000 } }, 20)).toBe(86_400_000);
  });
});

describe("wait_for_event heartbeat", () => {
  it("is at least 5 minutes, and a hundredth of the timeout for long ones (so a wait takes ≤ ~200 steps)", () => {
    expect(eventHeartbeatMs(1_000)).toBe(300_000);
    expect(eventHeartbeatMs(10 * 3_600_000)).toBe(360_000);
    expect(eventHeartbeatMs(null)).toBe(NO_TIMEOUT_HORIZON_MS / 100);
  });
});
