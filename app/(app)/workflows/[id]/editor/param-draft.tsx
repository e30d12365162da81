"use client";

/** What every param widget of the block panel shares: its props, its typed draft, its own error line. */
import type { CatalogParamFull } from "@/lib/engine/catalog";
import type { Parsed } from "./param-values";
import type { TemplateSuggestion } from "./types";
import { useDraft } from "./use-draft";

/** What every widget gets: its param, its value, where to send changes, and the ids to wire up. */
export interface WidgetProps {
  param: CatalogParamFull;
  value: unknown;
  /** Sends the param's new value at once; null removes it. */
  send: (value: unknown) => void;
  suggestions: readonly TemplateSuggestion[];
  secretNames: readonly string[];
  readOnly?: boolean;
  ids: { control: string; label: string; local: string; describedBy: string };
  invalid: boolean;
}

/** A typed draft: the text as typed, and the reason it is not sent when it cannot be. */
export function useParsedDraft(value: unknown, toText: (value: unknown) => string, parse: (text: string) => Parsed, send: (value: unknown) => void) {
  const [draft, setDraft, scope, sent] = useDraft(value, (v) => ({ text: toText(v), error: null as string | null }));
  function edit(text: string) {
    const parsed = parse(text);
    setDraft({ text, error: parsed.ok ? null : parsed.error });
    if (parsed.ok) {
      sent(parsed.value ?? undefined);
      send(parsed.value);
    }
  }
  return { text: draft.text, error: draft.error, edit, scope };
}

/** The widget's own complaint (invalid JSON, not a number), under the control; never sent. */
export function LocalError({ id, error }: { id: string; error: string | null }) {
  if (!error) return null;
  return (
    <p id={id} role="alert" className="text-xs text-red-700">
      {error}
    </p>
  );
}

