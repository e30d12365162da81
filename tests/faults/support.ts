/**
 * What the fault tests share: a side-effect counter on 127.0.0.1 that blocks call, and the
 * cluster the suite owns (the control plane over real HTTP is tests/helpers/serve.ts).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { clusterOf, type ClusterInfo } from "./cluster";

/** One request a block made to the counter: `GET /hit/<tag>/<block>`. */
export interface Hit {
  tag: string;
  block: string;
  arrivedAt: number;
  /** When the counter answered; null while it holds the request, or if the caller went away first. */
  answeredAt: number | null;
}

export interface CounterServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  hits: Hit[];
  /** Hits per `<tag>/<block>`. */
  count(tag: string, block: string): number;
  /** How long each block is held before the answer (ms); change it at any time. */
  delays: Record<string, number>;
  close(): Promise<void>;
}

/**
 * Records every `GET /hit/<tag>/<block>` when it arrives, holds it `delays[block]` ms (default 0),
 * then answers `{ tag, block, n }` (n: that pair's hit count so far).
 */
export async function startCounterServer(delays: Record<string, number> = {}): Promise<CounterServer> {
  const hits: Hit[] = [];
  const sockets = new Set<Socket>();
  const count = (tag: string, block: string) => hits.filter((h) => h.tag === tag && h.block === block).length;
  const server = http.createServer((req, res) => {
    const match = /^\/hit\/([^/]+)\/([^/?]+)/.exec(req.url ?? "");
    if (!match) return void res.writeHead(404).end();
    const [, tag, block] = match;
    const hit: Hit = { tag, block, arrivedAt: Date.now(), answeredAt: null };
    hits.push(hit);
    const n = count(tag, block);
    setTimeout(() => {
      if (res.destroyed) return;
      hit.answeredAt = Date.now();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ tag, block, n }));
    }, counter.delays[block] ?? 0);
  });
  server.on("connection", (socket) => (sockets.add(socket), socket.on("close", () => sockets.delete(socket))));
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  const counter: CounterServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    count,
    delays: { ...delays },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
  return counter;
}

/** An `http_request` block that calls the counter as `<tag>/<id>`, the tag being the run input's `tag`. */
export function counterBlock(counter: CounterServer, id: string) {
  return { id, type: "http_request", params: { method: "GET", url: `${counter.url}/hit/{{trigger.tag}}/${id}`, timeout_ms: 120_000 } };
}

/** A chain trigger → blocks[0] → blocks[1] → … of counter blocks. */
export function counterChain(counter: CounterServer, blockIds: string[]) {
  const ids = ["trg", ...blockIds];
  return {
    blocks: [{ id: "trg", type: "trigger_manual", params: {} }, ...blockIds.map((id) => counterBlock(counter, id))],
    edges: ids.slice(1).map((id, i) => ({ source: ids[i], target: id })),
  };
}

/** The suite's own cluster (tests/faults/global-setup.ts). */
export function suiteCluster() {
  const info = process.env.WEFT_FAULTS_CLUSTER;
  if (!info) throw new Error("WEFT_FAULTS_CLUSTER is unset: run the fault tests with `npm run test:faults`");
  return clusterOf(JSON.parse(info) as ClusterInfo);
}

/** The p-th percentile (0–100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
