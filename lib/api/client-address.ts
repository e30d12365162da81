/**
 * The client address of a request, for better-auth's per-IP limiter on /api/auth (sign-in,
 * sign-up…) and the address it records on sessions (README, "Accounts, limits and sign-up
 * modes"). A header a client can write is never the key by itself:
 *
 * - The peer is the address of the TCP connection. Next route handlers do not see the socket, so
 *   `npm start` preloads scripts/peer-address.mjs into the web process: it writes the socket's
 *   address into PEER_ADDRESS_HEADER of every request (overwriting whatever the client sent) and
 *   marks the process, and `peerAddressFromHook` reads the header only in a marked process.
 *   Next itself fills `X-Forwarded-For` with the socket address only when the client sent none,
 *   which is why that header cannot serve.
 * - `X-Forwarded-For` is followed only when the peer is one of WEFT_TRUSTED_PROXIES: the chain is
 *   walked right to left, trusted hops are skipped, and the first other address is the client.
 * - Peer unknown (the app served without the preload, e.g. `next dev` directly): the forwarded
 *   chain is followed the same way if proxies are configured, which is safe only when the app is
 *   reachable through them alone; without proxies there is no trustworthy address and every
 *   client shares one bucket per route, which fails closed.
 */
import { BlockList, isIP } from "node:net";
import { parseProxyEntry } from "@/lib/config";

/** Written by scripts/peer-address.mjs; read only when that hook marked the process. */
export const PEER_ADDRESS_HEADER = "x-weft-peer-address";
/** The global the hook sets, so a client cannot make us trust the header where no hook rewrites it. */
export const PEER_ADDRESS_HOOK = Symbol.for("weft.peerAddressHook");

/** The socket address that the preload hook recorded, or undefined without the hook. */
export function peerAddressFromHook(headers: Headers): string | undefined {
  if ((globalThis as Record<symbol, unknown>)[PEER_ADDRESS_HOOK] !== true) return undefined;
  const value = headers.get(PEER_ADDRESS_HEADER)?.trim();
  return value && isIP(unmapped(value)) ? unmapped(value) : undefined;
}

/** `::ffff:192.0.2.1` (how Node reports IPv4 on a dual-stack socket) as `192.0.2.1`. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return match ? match[1] : address;
}

/** The trusted proxies as a matcher; entries are validated by lib/config.ts. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parseProxyEntry(entry);
    if (!parsed) throw new Error(`not an IP address or CIDR: ${entry}`);
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

function isTrusted(proxies: BlockList, address: string): boolean {
  const version = isIP(address);
  return version !== 0 && proxies.check(address, version === 4 ? "ipv4" : "ipv6");
}

/** The address to key the request by, or null when none can be trusted (see the top of the file). */
export function clientAddress(request: { peer: string | undefined; forwardedFor: string | undefined; proxies: BlockList | null }): string | null {
  const { peer, proxies } = request;
  if (peer !== undefined && (proxies === null || !isTrusted(proxies, peer))) return peer;
  if (proxies === null) return null;
  const chain = (request.forwardedFor ?? "")
    .split(",")
    .map((hop) => unmapped(hop.trim()))
    .filter((hop) => hop.length > 0);
  for (let i = chain.length - 1; i >= 0; i--) {
    // A hop that is not an address was written by someone we do not trust: stop before it.
    if (isIP(chain[i]) === 0) return i === chain.length - 1 ? (peer ?? null) : chain[i + 1];
    if (!isTrusted(proxies, chain[i])) return chain[i];
  }
  // Every hop is a trusted proxy (or there is no chain): the first of them, else the peer.
  return chain[0] ?? peer ?? null;
}
