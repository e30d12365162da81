/**
 * `isDatabaseUnavailable` (lib/store/availability.ts): which database errors mean "try again
 * later" (a 503) rather than a bug (a 500), including errors wrapped by drizzle or better-auth.
 */
import { describe, expect, it } from "vitest";
import { isBadData, isDatabaseUnavailable } from "@/lib/store/availability";

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe("isDatabaseUnavailable", () => {
  it("recognises connection failures of postgres.js and Node's sockets", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "ETIMEDOUT"]) {
      expect(isDatabaseUnavailable(pgError(code)), code).toBe(true);
    }
  });

  it("recognises the SQLSTATEs of availability: classes 08 and 53, 57P0x, 57014, 40001, 40P01", () => {
    for (const code of ["08000", "08006", "53300", "53100", "57P01", "57P03", "57014", "40001", "40P01"]) {
      expect(isDatabaseUnavailable(pgError(code)), code).toBe(true);
    }
  });

  it("does not take a bug or bad data for an outage", () => {
    for (const code of ["XX000", "42P01", "23505", "22P02", "42703"]) expect(isDatabaseUnavailable(pgError(code)), code).toBe(false);
    for (const value of [new Error("no code"), null, undefined, "ECONNREFUSED", { code: 57014 }]) expect(isDatabaseUnavailable(value)).toBe(false);
  });

  it("looks through cause chains and AggregateErrors (drizzle and better-auth wrap the driver's error)", () => {
    const wrapped = new Error("Failed query: insert into …", { cause: new Error("middle", { cause: pgError("57P01") }) });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([new Error("a"), pgError("ECONNREFUSED")]))).toBe(true);
    expect(isDatabaseUnavailable(new Error("outer", { cause: pgError("23505") }))).toBe(false);
  });

  it("stops on a cyclic cause chain", () => {
    const a: Error & { cause?: unknown } = new Error("a");
    a.cause = new Error("b", { cause: a });
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});

describe("isBadData", () => {
  it("is SQLSTATE class 22 only", () => {
    expect(isBadData(pgError("22P05"))).toBe(true);
    expect(isBadData(pgError("57P01"))).toBe(false);
  });
});
