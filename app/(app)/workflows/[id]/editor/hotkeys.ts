"use client";

/**
 * Keyboard shortcuts written as combos: "mod+k", "mod+shift+z", "shift+a", "?", "delete".
 * `mod` is ⌘ on Apple platforms and Ctrl elsewhere. Keys are `KeyboardEvent.key` names in any
 * case; letters and digits also match by physical key, so shortcuts work on non-Latin layouts.
 */
import { useEffect, useRef } from "react";

interface Combo {
  key: string;
  ctrl: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
}

/** The parts of a keyboard event a combo is matched against (a KeyboardEvent has them all). */
export interface KeyPress {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

const ALIASES: Record<string, string> = { esc: "escape", del: "delete", space: " ", up: "arrowup", down: "arrowdown", left: "arrowleft", right: "arrowright" };

/** Whether this browser runs on a Mac, iPhone or iPad (where `mod` is ⌘). False on the server. */
export function isApplePlatform(): boolean {
  if (typeof navigator === "undefined") return false;
  const data = (navigator as Navigator & { userAgentData?: { platform?: string } }).userAgentData;
  return /mac|iphone|ipad|ipod/i.test(data?.platform ?? navigator.platform ?? navigator.userAgent);
}

function parseCombo(combo: string, apple: boolean): Combo {
  // "mod++" is mod and the plus key: splitting leaves an empty last part, which stands for "+".
  const parts = combo.toLowerCase().split("+");
  const rawKey = parts.pop() || "+";
  const key = ALIASES[rawKey] ?? rawKey;
  const mods = new Set(parts.filter(Boolean));
  return {
    key,
    ctrl: mods.has("ctrl") || (mods.has("mod") && !apple),
    meta: mods.has("meta") || mods.has("cmd") || (mods.has("mod") && apple),
    alt: mods.has("alt") || mods.has("option"),
    shift: mods.has("shift"),
  };
}

/** The key a physical key code stands for when it is a letter or digit ("KeyZ" → "z"), else null. */
function keyOfCode(code: string | undefined): string | null {
  const match = code ? /^(?:Key([A-Z])|Digit([0-9]))$/.exec(code) : null;
  return match ? (match[1] ?? match[2]).toLowerCase() : null;
}

/** Whether a key press is the combo. Shift is ignored for symbol keys ("?" needs Shift on most layouts). */
export function matchesHotkey(press: KeyPress, combo: string, apple: boolean = isApplePlatform()): boolean {
  const want = parseCombo(combo, apple);
  if (press.ctrlKey !== want.ctrl || press.metaKey !== want.meta || press.altKey !== want.alt) return false;
  const symbol = want.key.length === 1 && !/[a-z0-9]/.test(want.key);
  if (!symbol && press.shiftKey !== want.shift) return false;
  return press.key.toLowerCase() === want.key || keyOfCode(press.code) === want.key;
}

/** Whether a combo holds Ctrl, ⌘ or Alt (Shift alone types text, so it does not count). */
export function hasCommandModifier(combo: string): boolean {
  return /(^|\+)(mod|ctrl|meta|cmd|alt|option)\+/i.test(combo);
}

const NON_TEXT_INPUTS = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file", "image"]);

/** Whether the event comes from somewhere the user types: a text input, a textarea, a select or contenteditable (CodeMirror). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !NON_TEXT_INPUTS.has(target.type);
}

const SYMBOLS: Record<string, string> = { mod: "⌘", cmd: "⌘", meta: "⌘", ctrl: "⌃", alt: "⌥", option: "⌥", shift: "⇧" };
const NAMES: Record<string, string> = { escape: "Esc", delete: "Del", backspace: "⌫", enter: "↵", arrowup: "↑", arrowdown: "↓", arrowleft: "←", arrowright: "→", " ": "Space" };

/** A combo as a shortcut hint: "⌘⇧Z" on a Mac, "Ctrl+Shift+Z" elsewhere. */
export function formatHotkey(combo: string, apple: boolean = isApplePlatform()): string {
  const parts = combo.toLowerCase().split("+");
  const key = parts.pop() || "+";
  const shown = NAMES[ALIASES[key] ?? key] ?? (key.length === 1 ? key.toUpperCase() : key[0].toUpperCase() + key.slice(1));
  const mods = parts.filter(Boolean);
  if (apple) return mods.map((mod) => SYMBOLS[mod] ?? mod).join("") + shown;
  const words = mods.map((mod) => (mod === "mod" || mod === "ctrl" ? "Ctrl" : mod === "meta" || mod === "cmd" ? "Meta" : mod === "option" ? "Alt" : mod[0].toUpperCase() + mod.slice(1)));
  return [...words, shown].join("+");
}

export interface HotkeyOptions {
  /** Also fire while typing in an input, textarea or contenteditable; honoured only for combos with Ctrl, ⌘ or Alt. */
  allowInInputs?: boolean;
  /** Off: the hotkey listens to nothing. Default true. */
  enabled?: boolean;
  /** Fire again while the key is held (undo, nudging). Default false, so toggles do not flicker. */
  repeat?: boolean;
}

/**
 * Calls `handler` (and prevents the browser's default) when the combo is pressed anywhere in the
 * page, except while the user types in a field, unless the combo holds a command modifier and
 * `allowInInputs` is set. The latest handler is used without re-subscribing.
 */
export function useHotkey(combo: string, handler: (event: KeyboardEvent) => void, options: HotkeyOptions = {}): void {
  const { allowInInputs = false, enabled = true, repeat = false } = options;
  const handlerRef = useRef(handler);
  useEffect(() => {
    handlerRef.current = handler;
  });
  useEffect(() => {
    if (!enabled) return;
    const inInputs = allowInInputs && hasCommandModifier(combo);
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.isComposing || (event.repeat && !repeat)) return;
      if (!inInputs && isTypingTarget(event.target)) return;
      if (!matchesHotkey(event, combo)) return;
      event.preventDefault();
      handlerRef.current(event);
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [combo, allowInInputs, enabled, repeat]);
}
