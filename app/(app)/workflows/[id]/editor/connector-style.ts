/**
 * How a block type looks wherever the editor draws it (palette items, canvas nodes, the command
 * palette): an icon and a colour per category, with an icon of its own for the types where one is
 * obvious. Category colours avoid the run-status colours (green, red, blue, amber, slate) so a
 * node's category is never mistaken for its last run's status.
 *
 * Tailwind only sees class names written out whole, so every class below is a literal.
 */
import {
  Bell,
  Bot,
  Box,
  Clock,
  CodeXml,
  Database,
  GitBranch,
  Globe,
  Hand,
  Hourglass,
  Mail,
  Play,
  Reply,
  ScrollText,
  Shuffle,
  Sparkles,
  Split,
  Timer,
  Webhook,
  Workflow,
  Zap,
  type LucideIcon,
} from "lucide-react";
import type { CatalogEntry } from "./types";

export interface ConnectorStyle {
  icon: LucideIcon;
  /** Background and text colour of a small square behind the icon, e.g. "bg-violet-100 text-violet-700". */
  tile: string;
  /** A border colour for a node's accent edge, e.g. "border-violet-400" (combine with a border width). */
  accent: string;
  /** The same colour as a hex value, for places that take no class (minimap, SVG). */
  color: string;
}

interface CategoryLook {
  label: string;
  icon: LucideIcon;
  tile: string;
  accent: string;
  color: string;
}

/** The categories of lib/connectors, in the order the palette lists them. */
const CATEGORIES: Record<string, CategoryLook> = {
  triggers: { label: "Triggers", icon: Zap, tile: "bg-violet-100 text-violet-700", accent: "border-violet-400", color: "#a78bfa" },
  network: { label: "Network", icon: Globe, tile: "bg-cyan-100 text-cyan-700", accent: "border-cyan-400", color: "#22d3ee" },
  messaging: { label: "Messaging", icon: Mail, tile: "bg-lime-100 text-lime-700", accent: "border-lime-400", color: "#a3e635" },
  ai: { label: "AI", icon: Bot, tile: "bg-indigo-100 text-indigo-700", accent: "border-indigo-400", color: "#818cf8" },
  data: { label: "Data", icon: Database, tile: "bg-teal-100 text-teal-700", accent: "border-teal-400", color: "#2dd4bf" },
  logic: { label: "Logic", icon: GitBranch, tile: "bg-fuchsia-100 text-fuchsia-700", accent: "border-fuchsia-400", color: "#e879f9" },
  waits: { label: "Waits", icon: Hourglass, tile: "bg-orange-100 text-orange-700", accent: "border-orange-400", color: "#fb923c" },
  demo: { label: "Demo", icon: Sparkles, tile: "bg-pink-100 text-pink-700", accent: "border-pink-400", color: "#f472b6" },
};

const OTHER: CategoryLook = { label: "Other", icon: Box, tile: "bg-stone-100 text-stone-600", accent: "border-stone-300", color: "#a8a29e" };

/** A category for a block whose category is unknown (a type missing from the catalog), from its kind. */
const CATEGORY_OF_KIND: Record<string, string> = { trigger: "triggers", logic: "logic", wait: "waits" };

const TYPE_ICONS: Record<string, LucideIcon> = {
  trigger_webhook: Webhook,
  trigger_schedule: Clock,
  trigger_manual: Play,
  http_request: Globe,
  send_email: Mail,
  llm_chat: Bot,
  wait_duration: Timer,
  wait_for_event: Bell,
  condition: GitBranch,
  switch: Split,
  log: ScrollText,
  transform: Shuffle,
  code: CodeXml,
  greet: Hand,
  call_workflow: Workflow,
  respond_webhook: Reply,
};

const ORDER = Object.keys(CATEGORIES);

function lookOf(category: string | undefined, kind: string | undefined): CategoryLook {
  if (category && CATEGORIES[category]) return CATEGORIES[category];
  const byKind = kind ? CATEGORY_OF_KIND[kind] : undefined;
  return byKind ? CATEGORIES[byKind] : OTHER;
}

/**
 * The icon and colours of a block type. Takes a catalog entry, or just what a canvas node knows
 * (a block whose type the catalog lacks still gets a neutral style).
 */
export function connectorStyle(entry: Pick<CatalogEntry, "type"> & Partial<Pick<CatalogEntry, "category" | "kind">>): ConnectorStyle {
  const look = lookOf(entry.category, entry.kind);
  return { icon: TYPE_ICONS[entry.type] ?? look.icon, tile: look.tile, accent: look.accent, color: look.color };
}

/** A category's heading: "Triggers", "Network"…; an unknown category is capitalised as it is. */
export function categoryLabel(category: string): string {
  return CATEGORIES[category]?.label ?? (category ? category[0].toUpperCase() + category.slice(1) : OTHER.label);
}

/** Sort order of categories: triggers first, then the known ones in a fixed order, then the rest alphabetically. */
export function compareCategories(a: string, b: string): number {
  const ia = ORDER.indexOf(a);
  const ib = ORDER.indexOf(b);
  if (ia !== -1 || ib !== -1) return (ia === -1 ? ORDER.length : ia) - (ib === -1 ? ORDER.length : ib);
  return a.localeCompare(b);
}
