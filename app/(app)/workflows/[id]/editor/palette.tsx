"use client";

/**
 * The block palette: the catalog grouped by category (triggers first), with a search box. An item
 * is dragged onto the canvas (HTML5 drag carrying BLOCK_TYPE_MIME) or added with a click or Enter.
 * Arrow keys move between items; Enter in the search box adds the first match.
 */
import { Search, X } from "lucide-react";
import { useId, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from "react";
import { cn } from "@/app/_ui/cn";
import { categoryLabel, compareCategories, connectorStyle } from "./connector-style";
import type { CatalogEntry } from "./types";

/** The drag data type of a palette item; its value is the block type. The canvas reads it on drop. */
export const BLOCK_TYPE_MIME = "application/weft-block-type";

/** Whether an entry matches every word of a search, in its name, type or description (any case). */
export function matchesSearch(entry: Pick<CatalogEntry, "name" | "type" | "description">, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const text = `${entry.name}\n${entry.type}\n${entry.description}`.toLowerCase();
  return words.every((word) => text.includes(word));
}

/** The entries grouped by category, categories in palette order, entries in catalog order. */
export function groupByCategory(entries: CatalogEntry[]): { category: string; entries: CatalogEntry[] }[] {
  const groups = new Map<string, CatalogEntry[]>();
  for (const entry of entries) {
    const list = groups.get(entry.category);
    if (list) list.push(entry);
    else groups.set(entry.category, [entry]);
  }
  return [...groups.entries()].sort(([a], [b]) => compareCategories(a, b)).map(([category, list]) => ({ category, entries: list }));
}

export function Palette({ catalog, onAdd, className }: { catalog: CatalogEntry[]; onAdd: (type: string) => void; className?: string }) {
  const [search, setSearch] = useState("");
  const listRef = useRef<HTMLDivElement>(null);
  const searchId = useId();
  const hintId = useId();

  const groups = useMemo(() => groupByCategory(catalog.filter((entry) => matchesSearch(entry, search))), [catalog, search]);
  const firstMatch = search.trim() ? groups[0]?.entries[0]?.type : undefined;

  function items(): HTMLElement[] {
    return [...(listRef.current?.querySelectorAll<HTMLElement>("[data-palette-item]") ?? [])];
  }

  function onSearchKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" && firstMatch) {
      event.preventDefault();
      onAdd(firstMatch);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      items()[0]?.focus();
    } else if (event.key === "Escape" && search) {
      event.preventDefault();
      setSearch("");
    }
  }

  // One tab stop per item would be many; arrows move within the list as in a menu.
  function onListKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLElement);
    if (at === -1) return;
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    if (to < 0) document.getElementById(searchId)?.focus();
    else all[Math.min(to, all.length - 1)]?.focus();
  }

  return (
    <aside aria-label="Blocks" className={cn("flex h-full w-60 shrink-0 flex-col border-r border-stone-200 bg-white", className)}>
      <div className="border-b border-stone-200 p-2.5">
        <label htmlFor={searchId} className="sr-only">
          Search blocks
        </label>
        <div className="relative">
          <Search className="pointer-events-none absolute left-2.5 top-1/2 size-3.5 -translate-y-1/2 text-stone-400" aria-hidden />
          <input
            id={searchId}
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            onKeyDown={onSearchKeyDown}
            placeholder="Search blocks"
            aria-describedby={hintId}
            autoComplete="off"
            spellCheck={false}
            className={cn(
              "block h-8 w-full rounded-md border border-stone-300 bg-white pl-8 pr-7 text-sm text-stone-900 placeholder:text-stone-400",
              "focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 [&::-webkit-search-cancel-button]:hidden",
            )}
          />
          {search && (
            <button
              type="button"
              onClick={() => {
                setSearch("");
                document.getElementById(searchId)?.focus();
              }}
              aria-label="Clear the search"
              className="absolute right-1.5 top-1/2 -translate-y-1/2 rounded p-0.5 text-stone-400 hover:bg-stone-100 hover:text-stone-700 focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              <X className="size-3.5" aria-hidden />
            </button>
          )}
        </div>
        <p id={hintId} className="mt-1.5 px-0.5 text-[11px] leading-tight text-stone-500">
          Drag to the canvas, or click to add.
        </p>
      </div>

      <div ref={listRef} onKeyDown={onListKeyDown} className="min-h-0 flex-1 overflow-y-auto px-1.5 py-2">
        {groups.length === 0 ? (
          <p className="px-2 py-6 text-center text-sm text-stone-500">No block matches “{search.trim()}”.</p>
        ) : (
          groups.map(({ category, entries }) => (
            <section key={category} aria-labelledby={`${searchId}-${category}`} className="mb-2 last:mb-0">
              <h3 id={`${searchId}-${category}`} className="px-2 pb-1 pt-1.5 text-[11px] font-semibold uppercase tracking-wide text-stone-500">
                {categoryLabel(category)}
              </h3>
              <ul role="list" className="space-y-0.5">
                {entries.map((entry) => (
                  <li key={entry.type}>
                    <PaletteItem entry={entry} onAdd={onAdd} highlighted={entry.type === firstMatch} />
                  </li>
                ))}
              </ul>
            </section>
          ))
        )}
      </div>
    </aside>
  );
}

function PaletteItem({ entry, onAdd, highlighted }: { entry: CatalogEntry; onAdd: (type: string) => void; highlighted: boolean }) {
  const style = connectorStyle(entry);
  const Icon = style.icon;

  function onDragStart(event: DragEvent<HTMLDivElement>) {
    event.dataTransfer.setData(BLOCK_TYPE_MIME, entry.type);
    event.dataTransfer.effectAllowed = "move";
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onAdd(entry.type);
    }
  }

  // A div with the button role rather than a <button>: Firefox has long refused to start HTML5 drags on buttons.
  return (
    <div
      role="button"
      tabIndex={0}
      data-palette-item
      draggable
      onDragStart={onDragStart}
      onClick={() => onAdd(entry.type)}
      onKeyDown={onKeyDown}
      title={entry.description}
      aria-label={`Add ${entry.name}`}
      aria-description={entry.description}
      className={cn(
        "group flex cursor-grab items-center gap-2.5 rounded-md px-2 py-1.5 select-none active:cursor-grabbing",
        "hover:bg-stone-100 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600",
        highlighted && "bg-indigo-50 ring-1 ring-inset ring-indigo-200",
      )}
    >
      <span className={cn("flex size-7 shrink-0 items-center justify-center rounded-md", style.tile)}>
        <Icon className="size-4" aria-hidden />
      </span>
      <span className="min-w-0 flex-1">
        <span className="block truncate text-sm font-medium text-stone-900">{entry.name}</span>
        <span className="block truncate text-xs text-stone-500">{entry.description}</span>
      </span>
    </div>
  );
}
