/**
 * When the ticker retries a failed dispatch (docs/runs.md, "Schedules"), no database: the next pass first, then a
 * wait that doubles from 2 s up to 5 minutes; and the error message a schedule keeps.
 */
import { describe, expect, test } from "vitest";
import { dispatchErrorMessage, dispatchRetryDelayMs, MAX_DISPATCH_ERROR_LENGTH, MAX_DISPATCH_RETRY_DELAY_MS } from "@/lib/schedules/retry";

describe("dispatchRetryDelayMs", () => {
  test("the first failure is retried on the next pass, then the wait doubles from 2 s", () => {
    expect([1, 2, 3, 4, 5, 6].map(dispatchRetryDelayMs)).toEqual([0, 2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  test("the wait never exceeds 5 minutes, however many failures in a row", () => {
    expect(MAX_DISPATCH_RETRY_DELAY_MS).toBe(300_000);
    expect(dispatchRetryDelayMs(9)).toBe(256_000);
    expect(dispatchRetryDelayMs(10)).toBe(300_000);
    for (const failures of [11, 40, 1_000, 2_147_483_647]) expect(dispatchRetryDelayMs(failures)).toBe(300_000);
  });
});

describe("dispatchErrorMessage", () => {
  test("keeps an error's message, or the text of what was thrown", () => {
    expect(dispatchErrorMessage(new Error("connection reset"))).toBe("connection reset");
    expect(dispatchErrorMessage("plain string")).toBe("plain string");
    expect(dispatchErrorMessage(new TypeError(""))).toBe("TypeError");
  });

  test("cuts long messages to the stored length", () => {
    const message = dispatchErrorMessage(new Error("x".repeat(5_000)));
    expect(message).toHaveLength(MAX_DISPATCH_ERROR_LENGTH);
    expect(message.endsWith("…")).toBe(true);
  });
});
