"use client";

/**
 * CodeMirror 6 for code and JSON params: the language, template completion after `{{`, the
 * field's label and help wired to the editable element, and Tab left to move focus (a form
 * field, not a file editor).
 */
import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import CodeMirror, { type BasicSetupOptions } from "@uiw/react-codemirror";
import { useLayoutEffect, useMemo, useRef } from "react";
import { cn } from "@/app/_ui/cn";
import { templateCompletions } from "./template-input";
import type { TemplateSuggestion } from "./types";

const THEME = EditorView.theme({
  "&": { fontSize: "12px", backgroundColor: "transparent" },
  "&.cm-focused": { outline: "none" },
  ".cm-content": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", padding: "6px 0" },
  ".cm-gutters": { backgroundColor: "#fafaf9", borderRight: "1px solid #e7e5e4", color: "#a8a29e" },
  ".cm-placeholder": { color: "#a8a29e" },
});

/** The extension that adds `templateCompletions` to an editor beside its language's own completions. */
export function templateCompletionExtension(suggestions: readonly TemplateSuggestion[] | (() => readonly TemplateSuggestion[])): Extension {
  // One source for the editor's life: CodeMirror tracks a source's results by its identity.
  const data = [{ autocomplete: templateCompletions(suggestions) }];
  return EditorState.languageData.of(() => data);
}

// Module constants: @uiw/react-codemirror reconfigures the editor whenever this object changes
// identity, and a reconfigure closes an open completion list.
const JSON_SETUP: BasicSetupOptions = { lineNumbers: false, foldGutter: false, highlightActiveLine: false, highlightActiveLineGutter: false, searchKeymap: false };
const CODE_SETUP: BasicSetupOptions = { ...JSON_SETUP, lineNumbers: true };

export function CodeEditor({
  value,
  onChange,
  language,
  suggestions,
  labelledBy,
  describedBy,
  invalid,
  readOnly,
  placeholder,
  minHeight = "72px",
  maxHeight = "320px",
}: {
  value: string;
  onChange: (value: string) => void;
  language: "json" | "javascript";
  suggestions: readonly TemplateSuggestion[];
  labelledBy?: string;
  describedBy?: string;
  invalid?: boolean;
  readOnly?: boolean;
  placeholder?: string;
  minHeight?: string;
  maxHeight?: string;
}) {
  // The completion source reads the latest list through a ref, so a new list does not reconfigure the editor.
  const latest = useRef(suggestions);
  const changed = useRef(onChange);
  useLayoutEffect(() => {
    latest.current = suggestions;
    changed.current = onChange;
  });
  const stableOnChange = useMemo(() => (text: string) => changed.current(text), []);

  const extensions = useMemo(() => {
    const attributes: Record<string, string> = {};
    if (labelledBy) attributes["aria-labelledby"] = labelledBy;
    if (describedBy) attributes["aria-describedby"] = describedBy;
    if (invalid) attributes["aria-invalid"] = "true";
    return [
      language === "json" ? json() : javascript(),
      templateCompletionExtension(() => latest.current),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of(attributes),
      THEME,
    ];
  }, [language, labelledBy, describedBy, invalid]);

  return (
    <div
      className={cn(
        "overflow-hidden rounded-md border bg-white shadow-sm",
        "focus-within:border-indigo-500 focus-within:ring-2 focus-within:ring-indigo-500/30",
        invalid ? "border-red-400" : "border-stone-300",
        readOnly && "bg-stone-50",
      )}
    >
      <CodeMirror
        value={value}
        onChange={stableOnChange}
        extensions={extensions}
        editable={!readOnly}
        readOnly={readOnly}
        placeholder={placeholder}
        indentWithTab={false}
        minHeight={minHeight}
        maxHeight={maxHeight}
        basicSetup={language === "javascript" ? CODE_SETUP : JSON_SETUP}
      />
    </div>
  );
}
