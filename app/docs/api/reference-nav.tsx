"use client";

/**
 * The reference's table of contents: the opening sections, then each tag with its operations.
 * A filter narrows it (`/` focuses it; Enter goes to the first match), and the section being read
 * is highlighted. Rendered on the server too, so its links work before (or without) JavaScript.
 */
import { Search } from "lucide-react";
import { useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { cn } from "@/app/_ui/cn";
import { MethodBadge } from "./method-badge";

export interface NavSection {
  title: string;
  anchor: string;
  items: NavItem[];
}

export interface NavItem {
  anchor: string;
  label: string;
  method?: string;
  path?: string;
}

export function ReferenceNav({ sections, onNavigate, shortcut = false }: { sections: NavSection[]; onNavigate?: (anchor: string) => void; shortcut?: boolean }) {
  const [query, setQuery] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const active = useActiveSection(sections);
  const shown = useMemo(() => filterSections(sections, query), [sections, query]);
  const list = useRef<HTMLElement>(null);

  // Keep the highlighted item in sight inside the sidebar's own scroll area.
  useEffect(() => {
    const link = active ? list.current?.querySelector<HTMLElement>(`[data-nav-anchor="${active}"]`) : null;
    const scroller = link?.closest<HTMLElement>("[data-nav-scroll]");
    if (!link || !scroller) return;
    const top = link.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    if (top < 48 || top > scroller.clientHeight - 48) scroller.scrollTop += top - scroller.clientHeight / 3;
  }, [active]);

  useEffect(() => {
    if (!shortcut) return;
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.key !== "/" || target?.closest("input, textarea, [contenteditable=true]")) return;
      event.preventDefault();
      input.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [shortcut]);

  function go(anchor: string) {
    if (onNavigate) onNavigate(anchor);
    else goTo(anchor);
  }

  return (
    <nav ref={list} aria-label="API reference" className="flex flex-col gap-5 pb-10">
      <div className="relative">
        <Search className="pointer-events-none absolute left-2.5 top-1/2 size-3.5 -translate-y-1/2 text-stone-400" aria-hidden />
        <input
          ref={input}
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            const first = shown.flatMap((section) => section.items)[0];
            if (event.key === "Enter" && first) {
              event.preventDefault();
              go(first.anchor);
            }
          }}
          placeholder="Filter routes"
          aria-label="Filter routes"
          className="h-8 w-full rounded-md border border-stone-300 bg-white pl-8 pr-8 text-sm text-stone-900 placeholder:text-stone-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/20"
        />
        {shortcut && !query && (
          <kbd className="pointer-events-none absolute right-2 top-1/2 -translate-y-1/2 rounded border border-stone-200 bg-stone-50 px-1.5 font-mono text-[10px] text-stone-400">/</kbd>
        )}
      </div>
      {shown.length === 0 && <p className="px-2 text-sm text-stone-500">No route matches “{query}”.</p>}
      {shown.map((section) => (
        <div key={section.anchor}>
          <a
            href={`#${section.anchor}`}
            onClick={(event) => navigate(event, section.anchor, onNavigate)}
            className="mb-1 block px-2 text-xs font-semibold uppercase tracking-wide text-stone-500 hover:text-stone-900"
          >
            {section.title}
          </a>
          <ul className="space-y-px">
            {section.items.map((item) => (
              <li key={item.anchor}>
                <a
                  href={`#${item.anchor}`}
                  onClick={(event) => navigate(event, item.anchor, onNavigate)}
                  title={item.path ? `${item.method?.toUpperCase()} ${item.path}` : undefined}
                  aria-current={active === item.anchor ? "location" : undefined}
                  data-nav-anchor={item.anchor}
                  className={cn(
                    "flex items-baseline gap-1.5 rounded-md px-2 py-1 text-[13px] leading-snug focus-visible:outline-2 focus-visible:outline-indigo-600",
                    active === item.anchor ? "bg-indigo-50 font-medium text-indigo-700" : "text-stone-600 hover:bg-stone-100 hover:text-stone-900",
                  )}
                >
                  {item.method && <MethodBadge method={item.method} compact />}
                  <span className="min-w-0">{item.label}</span>
                </a>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}

/** Scrolls to `anchor`'s section and puts it in the address (again, if it already was there). */
export function goTo(anchor: string) {
  if (window.location.hash === `#${anchor}`) document.getElementById(anchor)?.scrollIntoView();
  else window.location.hash = anchor;
}

/** In the drawer the link is handled by the drawer (it closes first); elsewhere the browser follows it. */
function navigate(event: MouseEvent, anchor: string, onNavigate?: (anchor: string) => void) {
  if (!onNavigate || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  onNavigate(anchor);
}

/** Sections whose title, or an item's label, method or path, holds every word of `query`. */
export function filterSections(sections: NavSection[], query: string): NavSection[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return sections;
  return sections
    .map((section) => {
      if (words.every((word) => section.title.toLowerCase().includes(word))) return section;
      const items = section.items.filter((item) => {
        const text = `${section.title} ${item.label} ${item.method ?? ""} ${item.path ?? ""}`.toLowerCase();
        return words.every((word) => text.includes(word));
      });
      return { ...section, items };
    })
    .filter((section) => section.items.length > 0);
}

/** The anchor of the last item whose section has reached the band under the sticky header. */
function useActiveSection(sections: NavSection[]): string | null {
  const [active, setActive] = useState<string | null>(null);
  useEffect(() => {
    const anchors = sections.flatMap((section) => section.items.map((item) => item.anchor));
    let frame = 0;
    const update = () => {
      frame = 0;
      let current: string | null = null;
      for (const anchor of anchors) {
        const element = document.getElementById(anchor);
        if (element && element.getBoundingClientRect().top <= 120) current = anchor;
      }
      // At the very bottom the last sections cannot reach the band: the last one is being read.
      if (window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2) current = anchors[anchors.length - 1] ?? current;
      setActive(current ?? anchors[0] ?? null);
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(update);
    };
    update();
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    return () => {
      window.removeEventListener("scroll", schedule);
      window.removeEventListener("resize", schedule);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [sections]);
  return active;
}
