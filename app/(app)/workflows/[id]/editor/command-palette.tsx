"use client";

/**
 * The editor's command palette (cmdk in a Radix dialog): add a block, go to a block, or run an
 * editor action, by typing a few letters. The parent owns `open` and binds Ctrl/⌘-K (useHotkey).
 *
 * A chosen item's handler runs after the dialog has closed and focus has gone back where it was,
 * so a handler that moves focus (to a node on the canvas) keeps it.
 */
import * as RadixDialog from "@radix-ui/react-dialog";
import { Command } from "cmdk";
import { CornerDownLeft, Search, SquareDashed, type LucideIcon } from "lucide-react";
import { useRef, type ReactNode } from "react";
import { cn } from "@/app/_ui/cn";
import { connectorStyle } from "./connector-style";
import { formatHotkey } from "./hotkeys";
import type { CatalogEntry } from "./types";

export { useHotkey, formatHotkey, matchesHotkey, type HotkeyOptions } from "./hotkeys";

export interface PaletteBlock {
  id: string;
  name?: string;
  type: string;
}

export interface PaletteAction {
  id: string;
  label: string;
  /** A combo as useHotkey takes it ("mod+shift+z"), shown formatted for the platform. */
  shortcut?: string;
  /** An icon for the row; none leaves the space empty. */
  icon?: LucideIcon;
  run: () => void;
}

export interface CommandPaletteProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  catalog: CatalogEntry[];
  blocks: PaletteBlock[];
  actions: PaletteAction[];
  onAdd: (type: string) => void;
  onSelectBlock: (id: string) => void;
}

const itemClass = cn(
  "flex cursor-pointer items-center gap-3 rounded-md px-2.5 py-2 text-sm text-stone-800 select-none",
  "data-[selected=true]:bg-indigo-50 data-[selected=true]:text-indigo-950 data-[disabled=true]:cursor-default data-[disabled=true]:opacity-50",
);

const groupClass = cn(
  "px-1.5 pb-1.5",
  "[&_[cmdk-group-heading]]:px-2.5 [&_[cmdk-group-heading]]:pb-1 [&_[cmdk-group-heading]]:pt-2.5",
  "[&_[cmdk-group-heading]]:text-[11px] [&_[cmdk-group-heading]]:font-semibold [&_[cmdk-group-heading]]:uppercase [&_[cmdk-group-heading]]:tracking-wide [&_[cmdk-group-heading]]:text-stone-500",
);

export function CommandPalette({ open, onOpenChange, catalog, blocks, actions, onAdd, onSelectBlock }: CommandPaletteProps) {
  const pending = useRef<(() => void) | null>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const typeNames = new Map(catalog.map((entry) => [entry.type, entry]));

  function choose(run: () => void) {
    pending.current = run;
    onOpenChange(false);
  }

  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-stone-900/30 backdrop-blur-[1px]" />
        <RadixDialog.Content
          aria-describedby={undefined}
          onOpenAutoFocus={() => {
            returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
          }}
          onCloseAutoFocus={(event) => {
            const run = pending.current;
            pending.current = null;
            if (!run) return;
            event.preventDefault();
            returnTo.current?.focus();
            run();
          }}
          className="fixed left-1/2 top-[12vh] z-50 w-[calc(100vw-2rem)] max-w-xl -translate-x-1/2 overflow-hidden rounded-xl bg-white shadow-2xl ring-1 ring-stone-900/10 focus:outline-none"
        >
          <RadixDialog.Title className="sr-only">Command palette</RadixDialog.Title>
          <Command label="Command palette" loop className="flex max-h-[min(70vh,32rem)] flex-col">
            <div className="flex items-center gap-2.5 border-b border-stone-200 px-4">
              <Search className="size-4 shrink-0 text-stone-400" aria-hidden />
              {/* No autoFocus: Radix focuses the input itself, after noting where focus was, so it can go back there. */}
              <Command.Input
                placeholder="Add a block, go to a block, run an action…"
                className="h-12 w-full bg-transparent text-sm text-stone-900 placeholder:text-stone-400 focus:outline-none"
              />
              <kbd className="hidden shrink-0 rounded border border-stone-200 px-1.5 py-0.5 font-sans text-[11px] text-stone-500 sm:block">Esc</kbd>
            </div>
            <Command.List className="min-h-0 flex-1 overflow-y-auto py-1.5">
              <Command.Empty className="px-4 py-8 text-center text-sm text-stone-500">Nothing matches.</Command.Empty>

              {actions.length > 0 && (
                <Command.Group heading="Actions" className={groupClass}>
                  {actions.map((action) => (
                    <Command.Item key={action.id} value={`action:${action.id}`} keywords={[action.label]} onSelect={() => choose(action.run)} className={itemClass}>
                      <Tile>{action.icon ? <action.icon className="size-4" aria-hidden /> : null}</Tile>
                      <span className="min-w-0 flex-1 truncate">{action.label}</span>
                      {action.shortcut && <Shortcut combo={action.shortcut} />}
                    </Command.Item>
                  ))}
                </Command.Group>
              )}

              {catalog.length > 0 && (
                <Command.Group heading="Add block" className={groupClass}>
                  {catalog.map((entry) => {
                    const style = connectorStyle(entry);
                    return (
                      <Command.Item
                        key={entry.type}
                        value={`add:${entry.type}`}
                        keywords={[entry.name, entry.category, entry.description]}
                        onSelect={() => choose(() => onAdd(entry.type))}
                        className={itemClass}
                      >
                        <Tile className={style.tile}>
                          <style.icon className="size-4" aria-hidden />
                        </Tile>
                        <span className="min-w-0 flex-1">
                          <span className="block truncate font-medium">{entry.name}</span>
                          <span className="block truncate text-xs text-stone-500">{entry.description}</span>
                        </span>
                      </Command.Item>
                    );
                  })}
                </Command.Group>
              )}

              {blocks.length > 0 && (
                <Command.Group heading="Go to block" className={groupClass}>
                  {blocks.map((block) => {
                    const entry = typeNames.get(block.type);
                    const style = connectorStyle(entry ?? { type: block.type });
                    const Icon = entry ? style.icon : SquareDashed;
                    return (
                      <Command.Item
                        key={block.id}
                        value={`block:${block.id}`}
                        keywords={[block.name ?? "", block.id, block.type, entry?.name ?? ""].filter(Boolean)}
                        onSelect={() => choose(() => onSelectBlock(block.id))}
                        className={itemClass}
                      >
                        <Tile className={style.tile}>
                          <Icon className="size-4" aria-hidden />
                        </Tile>
                        <span className="min-w-0 flex-1 truncate">
                          <span className="font-medium">{block.name || block.id}</span>
                          {block.name && <span className="ml-2 font-mono text-xs text-stone-500">{block.id}</span>}
                        </span>
                        <span className="shrink-0 text-xs text-stone-500">{entry?.name ?? block.type}</span>
                      </Command.Item>
                    );
                  })}
                </Command.Group>
              )}
            </Command.List>
            <div className="flex items-center gap-3 border-t border-stone-200 bg-stone-50 px-4 py-2 text-[11px] text-stone-500">
              <span className="inline-flex items-center gap-1">
                <kbd className="font-sans">↑↓</kbd> to move
              </span>
              <span className="inline-flex items-center gap-1">
                <CornerDownLeft className="size-3" aria-hidden /> to choose
              </span>
            </div>
          </Command>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

function Tile({ className, children }: { className?: string; children: ReactNode }) {
  return <span className={cn("flex size-7 shrink-0 items-center justify-center rounded-md text-stone-500", className)}>{children}</span>;
}

function Shortcut({ combo }: { combo: string }) {
  return <kbd className="shrink-0 rounded border border-stone-200 bg-white px-1.5 py-0.5 font-sans text-[11px] text-stone-500">{formatHotkey(combo)}</kbd>;
}
