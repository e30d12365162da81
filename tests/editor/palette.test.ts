import { describe, expect, it } from "vitest";
import { categoryLabel, connectorStyle } from "@/app/(app)/workflows/[id]/editor/connector-style";
import { formatHotkey, hasCommandModifier, matchesHotkey, type KeyPress } from "@/app/(app)/workflows/[id]/editor/hotkeys";
import { groupByCategory, matchesSearch } from "@/app/(app)/workflows/[id]/editor/palette";
import { builtinConnectors } from "@/lib/connectors";
import { catalogEntryFull } from "@/lib/engine/catalog";

const catalog = builtinConnectors.map(catalogEntryFull);

describe("connector styles", () => {
  it("gives every built-in category its own label and colour (a new category needs a style)", () => {
    const other = connectorStyle({ type: "x", category: "no-such-category", kind: "action" });
    for (const entry of catalog) {
      expect(connectorStyle(entry).tile, entry.category).not.toBe(other.tile);
      expect(categoryLabel(entry.category), entry.category).not.toBe(entry.category);
    }
  });

  it("falls back on the kind, then on a neutral style, for a type the catalog lacks", () => {
    expect(connectorStyle({ type: "x", kind: "trigger" }).tile).toBe(connectorStyle({ type: "y", category: "triggers" }).tile);
    expect(connectorStyle({ type: "x" }).tile).toContain("stone");
  });
});

describe("palette grouping and search", () => {
  it("lists triggers first and keeps the catalog's order within a category", () => {
    const groups = groupByCategory(catalog);
    expect(groups[0].category).toBe("triggers");
    expect(groups[0].entries.map((e) => e.type)).toEqual(catalog.filter((e) => e.category === "triggers").map((e) => e.type));
    expect(groups.flatMap((g) => g.entries)).toHaveLength(catalog.length);
  });

  it("matches every word in the name, type or description, in any case", () => {
    const http = catalog.find((e) => e.type === "http_request")!;
    expect(matchesSearch(http, "HTTP")).toBe(true);
    expect(matchesSearch(http, "http_request")).toBe(true);
    expect(matchesSearch(http, "  ")).toBe(true);
    expect(matchesSearch(http, "http schedule")).toBe(false);
  });
});

describe("hotkeys", () => {
  const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

  it("reads mod as ⌘ on Apple platforms and Ctrl elsewhere", () => {
    expect(matchesHotkey(press("k", { metaKey: true }), "mod+k", true)).toBe(true);
    expect(matchesHotkey(press("k", { ctrlKey: true }), "mod+k", true)).toBe(false);
    expect(matchesHotkey(press("k", { ctrlKey: true }), "mod+k", false)).toBe(true);
  });

  it("needs the exact modifiers, except Shift on a symbol key", () => {
    expect(matchesHotkey(press("z", { ctrlKey: true }), "mod+shift+z", false)).toBe(false);
    expect(matchesHotkey(press("Z", { ctrlKey: true, shiftKey: true }), "mod+shift+z", false)).toBe(true);
    expect(matchesHotkey(press("k"), "mod+k", false)).toBe(false);
    expect(matchesHotkey(press("?", { shiftKey: true }), "?", false)).toBe(true);
  });

  it("matches letters by physical key on other layouts", () => {
    expect(matchesHotkey({ ...press("л", { ctrlKey: true }), code: "KeyK" }, "mod+k", false)).toBe(true);
  });

  it("counts Ctrl, ⌘ and Alt as command modifiers, not Shift", () => {
    expect(hasCommandModifier("mod+k")).toBe(true);
    expect(hasCommandModifier("alt+n")).toBe(true);
    expect(hasCommandModifier("shift+a")).toBe(false);
    expect(hasCommandModifier("k")).toBe(false);
  });

  it("formats combos for the platform", () => {
    expect(formatHotkey("mod+shift+z", true)).toBe("⌘⇧Z");
    expect(formatHotkey("mod+shift+z", false)).toBe("Ctrl+Shift+Z");
    expect(formatHotkey("mod++", false)).toBe("Ctrl++");
  });
});
