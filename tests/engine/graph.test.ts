import { describe, expect, it } from "vitest";
import {
  blockReadiness,
  findCycle,
  isEdgeTaken,
  nextBlocks,
  topologicalOrder,
  upstreamOf,
  wouldCreateCycle,
  type GraphEdge,
  type Settlement,
} from "@/lib/engine/graph";

const e = (source: string, target: string, sourceHandle?: string): GraphEdge =>
  sourceHandle === undefined ? { source, target } : { source, target, sourceHandle };

const ok: Settlement = { kind: "succeeded" };
const skipped: Settlement = { kind: "skipped" };
const branch = (b: string): Settlement => ({ kind: "succeeded", branch: b });
const routed = (handle: string): Settlement => ({ kind: "routed", handle });

/** Asserts that `cycle` is a closed walk along `edges`. */
function expectClosedWalk(cycle: string[] | null, edges: GraphEdge[]): void {
  expect(cycle).not.toBeNull();
  const walk = cycle as string[];
  expect(walk[0]).toBe(walk[walk.length - 1]);
  for (let i = 0; i + 1 < walk.length; i++) {
    expect(edges.some((edge) => edge.source === walk[i] && edge.target === walk[i + 1])).toBe(true);
  }
}

describe("findCycle", () => {
  it("finds a cycle through three blocks, first id repeated at the end", () => {
    const edges = [e("t", "a"), e("a", "b"), e("b", "c"), e("c", "a")];
    const cycle = findCycle(["t", "a", "b", "c"], edges);
    expect(cycle).toEqual(["a", "b", "c", "a"]);
    expectClosedWalk(cycle, edges);
  });

  it("reports a self-loop as a one-block cycle", () => {
    expect(findCycle(["a", "b"], [e("a", "b"), e("b", "b")])).toEqual(["b", "b"]);
  });

  it("finds no cycle in an acyclic diamond", () => {
    const edges = [e("a", "b"), e("a", "c"), e("b", "d"), e("c", "d")];
    expect(findCycle(["a", "b", "c", "d"], edges)).toBeNull();
  });

  it("ignores edges that name unknown blocks", () => {
    expect(findCycle(["a", "b"], [e("a", "b"), e("b", "ghost"), e("ghost", "a")])).toBeNull();
  });

  it("finds a cycle at the end of a 10,000-block chain without overflowing", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `b${i}`);
    const edges = ids.slice(1).map((id, i) => e(ids[i], id));
    expect(findCycle(ids, edges)).toBeNull();
    const cycle = findCycle(ids, [...edges, e("b9999", "b9990")]);
    expect(cycle).toEqual([...ids.slice(9990), "b9990"]);
  });
});

describe("wouldCreateCycle", () => {
  const edges = [e("a", "b"), e("b", "c")];
  it("is true for a self-edge", () => expect(wouldCreateCycle(edges, "x", "x")).toBe(true));
  it("is true for an edge back to an ancestor", () => expect(wouldCreateCycle(edges, "c", "a")).toBe(true));
  it("is false for a forward or unrelated edge", () => {
    expect(wouldCreateCycle(edges, "a", "c")).toBe(false);
    expect(wouldCreateCycle(edges, "c", "d")).toBe(false);
  });
});

describe("topologicalOrder", () => {
  it("breaks ties by the order of blockIds, deterministically", () => {
    const edges = [e("root", "z"), e("root", "y"), e("y", "join"), e("z", "join")];
    expect(topologicalOrder(["join", "z", "y", "root", "free"], edges)).toEqual(["root", "z", "y", "join", "free"]);
    expect(topologicalOrder(["free", "root", "y", "z", "join"], edges)).toEqual(["free", "root", "y", "z", "join"]);
    expect(topologicalOrder(["c", "b", "a"], [])).toEqual(["c", "b", "a"]);
  });

  it("picks the earliest ready block, not the first freed one", () => {
    // b is freed by a before c becomes ready, yet c comes first in blockIds.
    expect(topologicalOrder(["a", "c", "b"], [e("a", "b")])).toEqual(["a", "c", "b"]);
  });

  it("returns null when there is a cycle", () => {
    expect(topologicalOrder(["a", "b", "c"], [e("a", "b"), e("b", "c"), e("c", "b")])).toBeNull();
  });

  it("ignores edges naming unknown ids and duplicate ids", () => {
    expect(topologicalOrder(["b", "a", "b"], [e("ghost", "b"), e("a", "b"), e("a", "ghost")])).toEqual(["a", "b"]);
  });

  it("orders a 10,000-block chain given in reverse", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `b${i}`);
    const edges = ids.slice(1).map((id, i) => e(ids[i], id));
    expect(topologicalOrder([...ids].reverse(), edges)).toEqual(ids);
  });
});

describe("upstreamOf", () => {
  it("returns every ancestor and nothing else", () => {
    const edges = [e("t", "a"), e("a", "c"), e("b", "c"), e("c", "d"), e("x", "y")];
    expect(upstreamOf("d", edges)).toEqual(new Set(["t", "a", "b", "c"]));
    expect(upstreamOf("t", edges)).toEqual(new Set());
  });

  it("does not include the block itself, even on a cycle", () => {
    expect(upstreamOf("a", [e("a", "b"), e("b", "a")])).toEqual(new Set(["b"]));
  });

  it("walks a 10,000-block chain", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `b${i}`);
    const edges = ids.slice(1).map((id, i) => e(ids[i], id));
    expect(upstreamOf("b9999", edges).size).toBe(9_999);
  });
});

describe("isEdgeTaken", () => {
  it("takes a success edge whatever branch the source succeeded with", () => {
    expect(isEdgeTaken(e("a", "b"), ok)).toBe(true);
    expect(isEdgeTaken(e("a", "b"), branch("false"))).toBe(true);
  });
  it("takes a handle edge only for the matching branch or route", () => {
    expect(isEdgeTaken(e("a", "b", "true"), branch("true"))).toBe(true);
    expect(isEdgeTaken(e("a", "b", "true"), branch("false"))).toBe(false);
    expect(isEdgeTaken(e("a", "b", "true"), ok)).toBe(false);
    expect(isEdgeTaken(e("a", "b", "timeout"), routed("timeout"))).toBe(true);
    expect(isEdgeTaken(e("a", "b", "error"), routed("timeout"))).toBe(false);
  });
  it("takes nothing from a skipped block and no success edge from a routed one", () => {
    expect(isEdgeTaken(e("a", "b"), skipped)).toBe(false);
    expect(isEdgeTaken(e("a", "b", "error"), skipped)).toBe(false);
    expect(isEdgeTaken(e("a", "b"), routed("error"))).toBe(false);
  });
});

describe("blockReadiness", () => {
  const edges = [e("a", "c"), e("b", "c")];
  it("is ready with no incoming edges", () => expect(blockReadiness("a", edges, new Map())).toBe("ready"));
  it("is pending while any source is unsettled", () => {
    expect(blockReadiness("c", edges, new Map<string, Settlement>([["a", ok]]))).toBe("pending");
  });
  it("is ready when one incoming edge was taken", () => {
    expect(blockReadiness("c", edges, new Map<string, Settlement>([["a", ok], ["b", skipped]]))).toBe("ready");
  });
  it("is skip when every source settled and none took its edge", () => {
    expect(blockReadiness("c", edges, new Map<string, Settlement>([["a", skipped], ["b", routed("error")]]))).toBe("skip");
  });
});

/** Drives nextBlocks like a runtime would; `settle` decides how each ready block ends. */
function simulate(
  ids: string[],
  edges: GraphEdge[],
  settle: (id: string) => Settlement,
): { ran: string[]; settled: Map<string, Settlement> } {
  const settled = new Map<string, Settlement>();
  const ran: string[] = [];
  for (let round = 0; round < ids.length * 2 + 2; round++) {
    const { ready, skip } = nextBlocks(ids, edges, settled);
    if (ready.length === 0 && skip.length === 0) break;
    for (const id of skip) settled.set(id, skipped);
    for (const id of ready) {
      ran.push(id);
      settled.set(id, settle(id));
    }
  }
  return { ran, settled };
}

describe("nextBlocks", () => {
  const ifElse = [
    e("trigger", "cond"),
    e("cond", "a", "true"),
    e("cond", "b", "false"),
    e("a", "join"),
    e("b", "join"),
  ];
  const ifElseIds = ["trigger", "cond", "a", "b", "join"];

  it("if/else join: the untaken side is skipped and the join runs once, after the taken side", () => {
    const settled = new Map<string, Settlement>([["trigger", ok], ["cond", branch("true")]]);
    expect(nextBlocks(ifElseIds, ifElse, settled)).toEqual({ ready: ["a"], skip: ["b"] });
    settled.set("b", skipped);
    expect(nextBlocks(ifElseIds, ifElse, settled)).toEqual({ ready: ["a"], skip: [] });
    settled.set("a", ok);
    expect(nextBlocks(ifElseIds, ifElse, settled)).toEqual({ ready: ["join"], skip: [] });

    const run = simulate(ifElseIds, ifElse, (id) => (id === "cond" ? branch("true") : ok));
    expect(run.ran).toEqual(["trigger", "cond", "a", "join"]);
    expect(run.settled.get("b")).toEqual(skipped);
  });

  it("a block routed to error takes only its error edges, not its success edges", () => {
    const edges = [e("t", "http"), e("http", "next"), e("http", "onError", "error"), e("next", "after")];
    const ids = ["t", "http", "next", "onError", "after"];
    const run = simulate(ids, edges, (id) => (id === "http" ? routed("error") : ok));
    expect(run.ran).toEqual(["t", "http", "onError"]);
    expect(run.settled.get("next")).toEqual(skipped);
    expect(run.settled.get("after")).toEqual(skipped);
  });

  it("skips cascade one layer per call down a skipped branch", () => {
    const edges = [e("t", "cond"), e("cond", "x", "false"), e("x", "y"), e("y", "z"), e("cond", "done", "true")];
    const ids = ["t", "cond", "x", "y", "z", "done"];
    const settled = new Map<string, Settlement>([["t", ok], ["cond", branch("true")]]);
    expect(nextBlocks(ids, edges, settled)).toEqual({ ready: ["done"], skip: ["x"] });
    settled.set("x", skipped);
    expect(nextBlocks(ids, edges, settled).skip).toEqual(["y"]);
    settled.set("y", skipped);
    expect(nextBlocks(ids, edges, settled).skip).toEqual(["z"]);
  });

  it("a disabled (skipped) block skips its descendants but not a join with a live path", () => {
    const edges = [e("t", "off"), e("t", "on"), e("off", "join"), e("on", "join"), e("off", "only")];
    const ids = ["t", "off", "on", "join", "only"];
    const run = simulate(ids, edges, (id) => (id === "off" ? skipped : ok));
    expect(run.ran).toEqual(["t", "off", "on", "join"]);
    expect(run.settled.get("only")).toEqual(skipped);
  });

  it("leaves out running blocks and keeps their descendants pending", () => {
    const edges = [e("t", "a"), e("t", "b"), e("a", "c")];
    const ids = ["t", "a", "b", "c"];
    const settled = new Map<string, Settlement>([["t", ok]]);
    expect(nextBlocks(ids, edges, settled)).toEqual({ ready: ["a", "b"], skip: [] });
    expect(nextBlocks(ids, edges, settled, new Set(["a"]))).toEqual({ ready: ["b"], skip: [] });
    expect(nextBlocks(ids, edges, settled, new Set(["a", "b"]))).toEqual({ ready: [], skip: [] });
  });

  it("returns ids in topological order, not blockIds order", () => {
    const edges = [e("t", "b"), e("t", "a")];
    expect(nextBlocks(["b", "a", "t"], edges, new Map([["t", ok]]))).toEqual({ ready: ["b", "a"], skip: [] });
    expect(nextBlocks(["b", "a", "t"], edges, new Map())).toEqual({ ready: ["t"], skip: [] });
  });

  it("runs a 10,000-block chain block by block", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `b${i}`);
    const edges = ids.slice(1).map((id, i) => e(ids[i], id));
    const settled = new Map<string, Settlement>(ids.slice(0, 5_000).map((id) => [id, ok]));
    expect(nextBlocks(ids, edges, settled)).toEqual({ ready: ["b5000"], skip: [] });
  });
});

describe("adversarial ids", () => {
  it("__proto__ and constructor work as ids and Object.prototype stays clean", () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const ids = ["__proto__", "constructor", "prototype", "hasOwnProperty"];
    const edges = [e("__proto__", "constructor"), e("constructor", "prototype", "true"), e("prototype", "hasOwnProperty")];
    expect(findCycle(ids, edges)).toBeNull();
    expect(topologicalOrder([...ids].reverse(), edges)).toEqual(ids);
    expect(upstreamOf("hasOwnProperty", edges)).toEqual(new Set(["__proto__", "constructor", "prototype"]));
    expect(wouldCreateCycle(edges, "prototype", "__proto__")).toBe(true);
    const settled = new Map<string, Settlement>([["__proto__", ok], ["constructor", branch("false")]]);
    expect(nextBlocks(ids, edges, settled)).toEqual({ ready: [], skip: ["prototype"] });
    expect(blockReadiness("constructor", edges, settled)).toBe("ready");
    expect(findCycle(ids, [...edges, e("hasOwnProperty", "__proto__")])).toEqual([...ids, "__proto__"]);

    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).hasOwnProperty).toBe(Object.prototype.hasOwnProperty);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});
