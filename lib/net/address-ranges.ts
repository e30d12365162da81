/**
 * The address ranges outbound http_request calls refuse (docs/connectors.md): private, loopback,
 * link-local, unique-local, CGNAT, multicast, unspecified, documentation, and cloud metadata
 * addresses, for IPv4 and IPv6 (including IPv6 forms that embed an IPv4 address).
 */
import { isIPv4, isIPv6 } from "node:net";
type Range = { bytes: number[]; bits: number; kind: string };

function range(prefix: string, bits: number, kind: string): Range {
  const bytes = addressBytes(prefix);
  if (!bytes) throw new Error(`bad range ${prefix}`);
  return { bytes, bits, kind };
}

/** Refused even when private networks are allowed: nothing a workflow needs, instance credentials to lose. */
const METADATA = [
  range("169.254.169.254", 32, "cloud metadata"), // AWS, GCP, Azure, OpenStack…
  range("169.254.170.2", 32, "cloud metadata"), // AWS ECS task credentials
  range("168.63.129.16", 32, "cloud metadata"), // Azure wire server (a public address)
  range("100.100.100.200", 32, "cloud metadata"), // Alibaba Cloud
  range("192.0.0.192", 32, "cloud metadata"), // Oracle Cloud
  range("fd00:ec2::254", 128, "cloud metadata"), // AWS over IPv6
];

const BLOCKED_V4 = [
  range("0.0.0.0", 8, "unspecified"),
  range("10.0.0.0", 8, "private"),
  range("100.64.0.0", 10, "shared (CGNAT)"),
  range("127.0.0.0", 8, "loopback"),
  range("169.254.0.0", 16, "link-local"),
  range("172.16.0.0", 12, "private"),
  range("192.0.0.0", 24, "IETF protocol"),
  range("192.0.2.0", 24, "documentation"),
  range("192.88.99.0", 24, "6to4 relay"),
  range("192.168.0.0", 16, "private"),
  range("198.18.0.0", 15, "benchmarking"),
  range("198.51.100.0", 24, "documentation"),
  range("203.0.113.0", 24, "documentation"),
  range("224.0.0.0", 4, "multicast"),
  range("240.0.0.0", 4, "reserved"), // includes 255.255.255.255
];

const BLOCKED_V6 = [
  range("::", 128, "unspecified"),
  range("::1", 128, "loopback"),
  range("64:ff9b:1::", 48, "local NAT64"),
  range("100::", 64, "discard"),
  range("2001::", 32, "Teredo"),
  range("2001:2::", 48, "benchmarking"),
  range("2001:db8::", 32, "documentation"),
  range("3fff::", 20, "documentation"),
  range("fc00::", 7, "unique-local"),
  range("fe80::", 10, "link-local"),
  range("fec0::", 10, "site-local"),
  range("ff00::", 8, "multicast"),
];

/** IPv6 ranges that carry an IPv4 address, judged by that address: [range, offset of its 4 bytes]. */
const EMBEDS_V4: [Range, number][] = [
  [range("::ffff:0:0", 96, "IPv4-mapped"), 12],
  [range("::", 96, "IPv4-compatible"), 12],
  [range("::ffff:0:0:0", 96, "IPv4-translated"), 12],
  [range("64:ff9b::", 96, "NAT64"), 12],
  [range("2002::", 16, "6to4"), 2],
];

/** 4 bytes for an IPv4 address, 16 for IPv6 (brackets and zone ids ignored), null when not an IP. */
function addressBytes(ip: string): number[] | null {
  const bare = ip.replace(/^\[(.*)\]$/, "$1").split("%")[0];
  if (isIPv4(bare)) return bare.split(".").map(Number);
  if (!isIPv6(bare)) return null;
  let text = bare;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split(".").map(Number);
    text = text.slice(0, dotted.index) + ((a << 8) | b).toString(16) + ":" + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) return null;
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

function inRange(bytes: number[], r: Range): boolean {
  if (bytes.length !== r.bytes.length) return false;
  for (let i = 0; i < r.bits; i++) {
    const shift = 7 - (i % 8);
    if (((bytes[i >> 3] >> shift) & 1) !== ((r.bytes[i >> 3] >> shift) & 1)) return false;
  }
  return true;
}

/**
 * Why an address must not be reached: e.g. "loopback", "private", "cloud metadata"; null for a
 * public address. Unparseable input counts as blocked. `metadata` says whether the reason holds
 * even when private networks are allowed.
 */
export function classifyAddress(ip: string): { kind: string; metadata: boolean } | null {
  const bytes = addressBytes(ip);
  if (!bytes) return { kind: "unrecognized", metadata: false };
  const meta = METADATA.find((r) => inRange(bytes, r));
  if (meta) return { kind: meta.kind, metadata: true };
  if (bytes.length === 4) {
    const hit = BLOCKED_V4.find((r) => inRange(bytes, r));
    return hit ? { kind: hit.kind, metadata: false } : null;
  }
  const hit = BLOCKED_V6.find((r) => inRange(bytes, r));
  if (hit) return { kind: hit.kind, metadata: false };
  for (const [r, offset] of EMBEDS_V4) {
    if (!inRange(bytes, r)) continue;
    const inner = classifyAddress(bytes.slice(offset, offset + 4).join("."));
    return inner && { kind: `${r.kind} ${inner.kind}`, metadata: inner.metadata };
  }
  return null;
}
