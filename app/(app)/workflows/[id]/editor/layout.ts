/**
 * "Tidy up" for the canvas: block positions from the graph's shape (dagre's layered layout), for
 * workflows an agent built without positions and for the user's explicit tidy-up.
 */
import dagre from "@dagrejs/dagre";
import type { WorkflowDefinition } from "@/lib/engine/model";

export interface LayoutOptions {
  /** Node size as the canvas draws it, so laid-out nodes never overlap. */
  nodeWidth?: number;
  nodeHeight?: number;
  /** LR: ranks left to right (the editor's default); TB: top to bottom. */
  direction?: "LR" | "TB";
}

type Graph = Pick<WorkflowDefinition, "blocks" | "edges">;

/** Space between ranks (along the flow) and between nodes of one rank (across it). */
const RANK_GAP = 80;
const NODE_GAP = 32;

/**
 * The top-left corner of every block, in whole pixels, starting at (0, 0). Edges whose source or
 * target is not a block are ignored, and cycles are laid out anyway (dagre breaks them).
 */
export function autoLayout(definition: Graph, options: LayoutOptions = {}): Map<string, { x: number; y: number }> {
  const { nodeWidth = 240, nodeHeight = 72, direction = "LR" } = options;
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: direction, ranksep: RANK_GAP, nodesep: NODE_GAP, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));

  for (const block of definition.blocks) graph.setNode(block.id, { width: nodeWidth, height: nodeHeight });
  for (const edge of definition.edges) {
    if (edge.source === edge.target || !graph.hasNode(edge.source) || !graph.hasNode(edge.target)) continue;
    graph.setEdge(edge.source, edge.target);
  }
  dagre.layout(graph);

  const positions = new Map<string, { x: number; y: number }>();
  for (const id of graph.nodes()) {
    const node = graph.node(id);
    positions.set(id, { x: node.x - nodeWidth / 2, y: node.y - nodeHeight / 2 });
  }
  // dagre puts centres at its margin; shift so the top-left block sits at the origin, then round.
  const minX = Math.min(...[...positions.values()].map((p) => p.x));
  const minY = Math.min(...[...positions.values()].map((p) => p.y));
  for (const [id, p] of positions) positions.set(id, { x: Math.round(p.x - minX), y: Math.round(p.y - minY) });
  return positions;
}

/**
 * autoLayout that keeps its last answer while the graph's shape (block ids and edges, all it reads)
 * stays the same, so typing into a block of a workflow without positions does not lay out every
 * block again on each keystroke.
 */
export function rememberingLayout(options: LayoutOptions = {}): (definition: Graph) => Map<string, { x: number; y: number }> {
  let shape: string | null = null;
  let positions = new Map<string, { x: number; y: number }>();
  return (definition) => {
    const next = `${definition.blocks.map((b) => b.id).join(",")}|${definition.edges.map((e) => `${e.source}>${e.target}`).join(",")}`;
    if (next !== shape) {
      positions = autoLayout(definition, options);
      shape = next;
    }
    return positions;
  };
}

/**
 * Whether the canvas should lay the workflow out before drawing it: some block has no position,
 * or there are several blocks and they all sit on one spot (an agent that wrote the same
 * position everywhere). An empty workflow needs nothing.
 */
export function needsLayout(definition: Pick<WorkflowDefinition, "blocks">): boolean {
  const { blocks } = definition;
  if (blocks.some((block) => !block.position || !Number.isFinite(block.position.x) || !Number.isFinite(block.position.y))) return true;
  if (blocks.length < 2) return false;
  const first = blocks[0].position!;
  return blocks.every((block) => block.position!.x === first.x && block.position!.y === first.y);
}
