/**
 * The SSRF guard's host check, shared by every outbound protocol (docs/connectors.md): a host is
 * resolved once with dns.lookup and refused when ANY address it resolves to is private, loopback,
 * link-local, CGNAT, multicast, reserved or a cloud metadata address (./address-ranges.ts). The
 * caller then connects only to the addresses returned, so no second resolution can rebind it.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIPv4, isIPv6 } from "node:net";
import { classifyAddress } from "./address-ranges";

/** An address a checked host resolved to. */
export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * What checking a host found: the addresses a connection may use, or why none may be used.
 * `reason` names the host (and the refused address) but no protocol, for the caller's message.
 */
export type HostCheck =
  | { ok: true; addresses: CheckedAddress[] }
  | { ok: false; code: "dns_error"; reason: string }
  /** `metadata`: refused even though private networks are allowed. */
  | { ok: false; code: "ssrf_blocked"; reason: string; metadata: boolean };

/**
 * Resolves `host` (a name, or an IP literal with or without brackets) and checks every address.
 * Never throws for a bad host; rejects with the signal's reason when `signal` aborts first.
 */
export async function checkHost(host: string, options: { allowPrivateNetwork: boolean; signal?: AbortSignal }): Promise<HostCheck> {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  let addresses: { address: string; family: number }[];
  if (isIPv4(bare) || isIPv6(bare)) {
    addresses = [{ address: bare, family: isIPv4(bare) ? 4 : 6 }];
  } else {
    try {
      addresses = await abortable(dnsLookup(bare, { all: true, verbatim: true }), options.signal);
    } catch (error) {
      if (options.signal?.aborted && error === options.signal.reason) throw error;
      return { ok: false, code: "dns_error", reason: `could not resolve ${bare} (${errorCode(error)})` };
    }
    if (addresses.length === 0) return { ok: false, code: "dns_error", reason: `${bare} has no address` };
  }
  for (const { address } of addresses) {
    const blocked = classifyAddress(address);
    if (blocked && (blocked.metadata || !options.allowPrivateNetwork)) {
      const via = address === bare ? "" : ` resolves to ${address}, which`;
      return { ok: false, code: "ssrf_blocked", reason: `${bare}${via} is a ${blocked.kind} address`, metadata: blocked.metadata };
    }
  }
  return { ok: true, addresses: addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 })) };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "unknown error";
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
