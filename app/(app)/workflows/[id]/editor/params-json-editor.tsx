"use client";

/**
 * The block panel's JSON mode: the whole params object in CodeMirror, so any key can be typed,
 * unknown ones included. Each valid edit sends only what changed since the last one it sent
 * (changed keys, removed keys as null), so a change made elsewhere meanwhile is not undone.
 */
import { useId } from "react";
import { LazyCodeEditor } from "./lazy-code-editor";
import { LocalError } from "./param-draft";
import { paramsDiff, parseParamsObject } from "./param-values";
import type { TemplateSuggestion } from "./types";
import { useDraft } from "./use-draft";

interface Draft {
  text: string;
  error: string | null;
  /** The params this text was last in step with: what the next diff is taken against. */
  base: Record<string, unknown>;
}

const draftOf = (params: Record<string, unknown>): Draft => ({ text: JSON.stringify(params, null, 2), error: null, base: params });

export function ParamsJsonEditor({
  params,
  onChange,
  suggestions,
  readOnly,
}: {
  params: Record<string, unknown>;
  onChange: (diff: Record<string, unknown>) => void;
  suggestions: readonly TemplateSuggestion[];
  readOnly?: boolean;
}) {
  const id = useId();
  const [draft, setDraft, scope, sent] = useDraft(params, draftOf);

  function edit(text: string) {
    const parsed = parseParamsObject(text);
    if (!parsed.ok) return setDraft({ ...draft, text, error: parsed.error });
    const diff = paramsDiff(draft.base, parsed.value);
    setDraft({ text, error: null, base: parsed.value });
    if (Object.keys(diff).length > 0) {
      sent(parsed.value);
      onChange(diff);
    }
  }

  return (
    <div ref={scope} className="space-y-1.5">
      <label id={`${id}-label`} className="block text-sm font-medium text-stone-800">
        Params (JSON)
      </label>
      <LazyCodeEditor
        value={draft.text}
        onChange={edit}
        language="json"
        suggestions={suggestions}
        labelledBy={`${id}-label`}
        describedBy={`${id}-error ${id}-help`}
        invalid={Boolean(draft.error)}
        readOnly={readOnly}
        minHeight="200px"
        maxHeight="60vh"
      />
      <LocalError id={`${id}-error`} error={draft.error} />
      <p id={`${id}-help`} className="text-xs text-stone-500">
        One object of param name to value. A key you delete is removed from the block; type {"{{"} for templates.
      </p>
    </div>
  );
}
