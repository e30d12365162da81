/**
 * better-auth's per-IP limit on sign-in (10/min) and sign-up (5/min) is keyed by an address the
 * client cannot choose (issue 12, defect 5; lib/api/client-address.ts): the connection's peer,
 * and `X-Forwarded-For` only when the peer is a trusted proxy (WEFT_TRUSTED_PROXIES). The peer is
 * what the Next route handler passes as the `peerAddress` binding; here it is passed the same way.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress, peerAddressFromHook, PEER_ADDRESS_HEADER, PEER_ADDRESS_HOOK, trustedProxyList } from "@/lib/api/client-address";
import { loadConfig } from "@/lib/config";
import { createTestApp, type TestApp } from "../helpers/api";

let direct: TestApp;
let proxied: TestApp;

beforeAll(async () => {
  direct = await createTestApp({ authRateLimit: true });
  proxied = await createTestApp({ authRateLimit: true, trustedProxies: ["10.0.0.0/8", "2001:db8::/32"] });
});
afterAll(async () => {
  await direct?.close();
  await proxied?.close();
});

let counter = 0;

/** One sign-in with a wrong password (or sign-up), from `peer`, claiming `forwardedFor`. */
async function attempt(app: TestApp, route: "sign-in" | "sign-up", peer: string, forwardedFor?: string): Promise<number> {
  counter += 1;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (forwardedFor !== undefined) headers["x-forwarded-for"] = forwardedFor;
  const body =
    route === "sign-in"
      ? { email: "nobody@example.com", password: "wrong password" }
      : { email: `limit${counter}-${Date.now()}@example.com`, name: "Limit", password: "correct horse battery staple" };
  const response = await app.api.request(`/api/auth/${route}/email`, { method: "POST", headers, body: JSON.stringify(body) }, { peerAddress: peer });
  await response.arrayBuffer();
  return response.status;
}

describe("without trusted proxies", () => {
  it("varying X-Forwarded-For does not get around the sign-in limit: the 11th attempt from one peer is 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push(await attempt(direct, "sign-in", "203.0.113.1", `198.51.100.${i + 1}`));
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    // Another peer has its own budget.
    expect(await attempt(direct, "sign-in", "203.0.113.2", "198.51.100.1")).toBe(401);
  });

  it("nor the sign-up limit: the 6th sign-up from one peer is 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await attempt(direct, "sign-up", "203.0.113.3", `198.51.100.${i + 1}`));
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[5]).toBe(429);
  });

  it("the preload that npm start installs writes the socket's address over a client's peer header", async () => {
    const server = `
      import http from "node:http";
      const s = http.createServer((req, res) => res.end(JSON.stringify({ peer: req.headers["${PEER_ADDRESS_HEADER}"], hook: globalThis[Symbol.for("weft.peerAddressHook")] })));
      s.listen(0, "127.0.0.1", () => console.log(s.address().port));`;
    const child = spawn(process.execPath, ["--import", pathToFileURL(resolve("scripts/peer-address.mjs")).href, "--input-type=module", "-e", server], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const [line] = (await once(child.stdout, "data")) as [Buffer];
      const response = await fetch(`http://127.0.0.1:${Number(line.toString().trim())}/`, { headers: { [PEER_ADDRESS_HEADER]: "198.51.100.9" } });
      expect(await response.json()).toEqual({ peer: "127.0.0.1", hook: true });
    } finally {
      child.kill();
    }
  });

  it("a client-sent peer header is ignored where no preload rewrites it", () => {
    expect(peerAddressFromHook(new Headers({ [PEER_ADDRESS_HEADER]: "198.51.100.7" }))).toBeUndefined();
  });
});

describe("with WEFT_TRUSTED_PROXIES", () => {
  it("a request through the proxy is keyed by the forwarded client address", async () => {
    // 12 attempts from 12 clients through one proxy: none is limited.
    const spread: number[] = [];
    for (let i = 0; i < 12; i++) spread.push(await attempt(proxied, "sign-in", "10.0.0.5", `192.0.2.${i + 1}`));
    expect(spread.every((s) => s === 401)).toBe(true);
    // One client through the proxy (and a second trusted hop) is limited on its 11th attempt.
    const one: number[] = [];
    for (let i = 0; i < 11; i++) one.push(await attempt(proxied, "sign-in", "10.0.0.5", "192.0.2.200, 10.9.9.9"));
    expect(one.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(one[10]).toBe(429);
  });

  it("a forged hop left of the real client does not change the key", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push(await attempt(proxied, "sign-in", "10.0.0.5", `198.51.100.${i + 1}, 192.0.2.201`));
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it("a peer that is not a trusted proxy is keyed by itself, whatever it forwards", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push(await attempt(proxied, "sign-in", "203.0.113.9", `192.0.2.${100 + i}`));
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe("clientAddress", () => {
  const proxies = trustedProxyList(["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"]);
  it("follows the chain only from a trusted peer, right to left", () => {
    expect(clientAddress({ peer: "203.0.113.1", forwardedFor: "1.2.3.4", proxies: null })).toBe("203.0.113.1");
    expect(clientAddress({ peer: "203.0.113.1", forwardedFor: "1.2.3.4", proxies })).toBe("203.0.113.1");
    expect(clientAddress({ peer: "10.1.1.1", forwardedFor: "1.2.3.4, 5.6.7.8, 10.2.2.2", proxies })).toBe("5.6.7.8");
    expect(clientAddress({ peer: "::ffff:10.1.1.1", forwardedFor: "5.6.7.8", proxies })).toBe("5.6.7.8");
    expect(clientAddress({ peer: "2001:db8::1", forwardedFor: "2001:db9::5", proxies })).toBe("2001:db9::5");
    expect(clientAddress({ peer: "10.1.1.1", forwardedFor: undefined, proxies })).toBe("10.1.1.1");
    expect(clientAddress({ peer: "10.1.1.1", forwardedFor: "not-an-ip", proxies })).toBe("10.1.1.1");
    expect(clientAddress({ peer: "10.1.1.1", forwardedFor: "garbage, 5.6.7.8", proxies })).toBe("5.6.7.8");
    expect(clientAddress({ peer: undefined, forwardedFor: "1.2.3.4", proxies: null })).toBeNull();
    expect(clientAddress({ peer: undefined, forwardedFor: "1.2.3.4, 192.0.2.1", proxies })).toBe("1.2.3.4");
  });

  it("the preload's header is read only in a process the preload marked", () => {
    const global = globalThis as Record<symbol, unknown>;
    global[PEER_ADDRESS_HOOK] = true;
    try {
      expect(peerAddressFromHook(new Headers({ [PEER_ADDRESS_HEADER]: "::ffff:203.0.113.4" }))).toBe("203.0.113.4");
      expect(peerAddressFromHook(new Headers({ [PEER_ADDRESS_HEADER]: "nonsense" }))).toBeUndefined();
    } finally {
      delete global[PEER_ADDRESS_HOOK];
    }
  });

  it("WEFT_TRUSTED_PROXIES is validated", () => {
    expect(loadConfig({ WEFT_TRUSTED_PROXIES: " 10.0.0.5, 10.1.0.0/16 ,2001:db8::/32" }).WEFT_TRUSTED_PROXIES).toEqual(["10.0.0.5", "10.1.0.0/16", "2001:db8::/32"]);
    expect(loadConfig({}).WEFT_TRUSTED_PROXIES).toEqual([]);
    for (const bad of ["10.0.0.0/33", "example.com", "10.0.0.1/8/1", "10.0.0.0/x"]) expect(() => loadConfig({ WEFT_TRUSTED_PROXIES: bad }), bad).toThrow(/WEFT_TRUSTED_PROXIES/);
  });
});
