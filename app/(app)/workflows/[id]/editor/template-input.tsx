"use client";

/**
 * A text input or textarea that completes templates: typing `{{` opens a list of the paths in
 * scope (a combobox listbox: arrow keys, Enter or Tab to pick, Escape to close), filtered by
 * what follows the braces. `templateCompletions` offers the same list inside CodeMirror.
 */
import type { Completion, CompletionSource } from "@codemirror/autocomplete";
import type { EditorView } from "@codemirror/view";
import * as Popover from "@radix-ui/react-popover";
import { Box, KeyRound, Variable, Zap } from "lucide-react";
import {
  useId,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type FocusEvent,
  type KeyboardEvent,
  type Ref,
  type SyntheticEvent,
} from "react";
import { cn } from "@/app/_ui/cn";
import { inputClass } from "@/app/_ui/field";
import { filterSuggestions, insertTemplate, openTemplateAt, templateTailLength } from "./template-text";
import type { TemplateSuggestion } from "./types";

/** Options drawn at once; typing narrows a longer list. */
const MAX_SHOWN = 100;

const GROUPS: Record<TemplateSuggestion["group"], { label: string; Icon: typeof Box; cm: string }> = {
  trigger: { label: "Run input", Icon: Zap, cm: "keyword" },
  block: { label: "Block outputs", Icon: Box, cm: "property" },
  variable: { label: "Variables", Icon: Variable, cm: "variable" },
  secret: { label: "Secrets", Icon: KeyRound, cm: "constant" },
};

/** What a parent can do to a TemplateInput: insert text at the caret (a secret picker does). */
export interface TemplateInputHandle {
  insert(text: string): void;
  focus(): void;
}

export interface TemplateInputProps {
  value: string;
  onChange: (value: string) => void;
  suggestions: readonly TemplateSuggestion[];
  multiline?: boolean;
  rows?: number;
  id?: string;
  type?: "text" | "password";
  placeholder?: string;
  disabled?: boolean;
  readOnly?: boolean;
  className?: string;
  inputMode?: "text" | "decimal" | "numeric";
  onFocus?: (event: FocusEvent<HTMLElement>) => void;
  onBlur?: (event: FocusEvent<HTMLElement>) => void;
  "aria-label"?: string;
  "aria-labelledby"?: string;
  "aria-describedby"?: string;
  "aria-invalid"?: boolean;
  "aria-required"?: boolean;
  ref?: Ref<TemplateInputHandle>;
}

export function TemplateInput({ value, onChange, suggestions, multiline, rows = 3, type = "text", className, ref, onFocus, onBlur, ...rest }: TemplateInputProps) {
  const listId = useId();
  const fieldRef = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState<number | null>(null);
  // Open only after typing (not when a click lands inside an old template); Escape and a pick disarm.
  const [armed, setArmed] = useState(false);
  const [active, setActive] = useState(0);
  const pendingCaret = useRef<number | null>(null);

  const context = armed && caret !== null ? openTemplateAt(value, caret) : null;
  const options = context ? filterSuggestions(suggestions, context.query).slice(0, MAX_SHOWN) : [];
  const open = context !== null && options.length > 0 && !rest.readOnly && !rest.disabled;
  const activeIndex = Math.min(active, Math.max(options.length - 1, 0));
  const optionId = (i: number) => `${listId}-option-${i}`;

  // A pick changes the value through the parent; the caret goes after the `}}` once it is back.
  useLayoutEffect(() => {
    const element = fieldRef.current;
    if (pendingCaret.current === null || !element) return;
    element.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = null;
  }, [value]);

  useLayoutEffect(() => {
    if (open) document.getElementById(optionId(activeIndex))?.scrollIntoView({ block: "nearest" });
  });

  function replace(next: string, nextCaret: number) {
    pendingCaret.current = nextCaret;
    setCaret(nextCaret);
    onChange(next);
  }

  useImperativeHandle(ref, () => ({
    insert(text: string) {
      const at = caret ?? value.length;
      replace(value.slice(0, at) + text + value.slice(at), at + text.length);
      fieldRef.current?.focus();
    },
    focus: () => fieldRef.current?.focus(),
  }));

  function pick(suggestion: TemplateSuggestion) {
    if (!context || caret === null) return;
    const next = insertTemplate(value, context.start, caret, suggestion.insert);
    setArmed(false);
    replace(next.text, next.caret);
  }

  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    if (event.key === " " && event.ctrlKey) {
      // Ctrl+Space: the list for the template at the caret, as in code editors.
      event.preventDefault();
      setArmed(true);
      return;
    }
    if (!open) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((activeIndex + step + options.length) % options.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      pick(options[activeIndex]);
    } else if (event.key === "Escape") {
      // Closes the list only, not the panel or dialog around it.
      event.preventDefault();
      event.stopPropagation();
      setArmed(false);
    }
  }

  const trackCaret = (event: SyntheticEvent<HTMLInputElement | HTMLTextAreaElement>) => setCaret(event.currentTarget.selectionStart);
  const shared = {
    ...rest,
    ref: fieldRef,
    value,
    onChange: (event: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => {
      setCaret(event.currentTarget.selectionStart);
      setArmed(true);
      setActive(0);
      onChange(event.currentTarget.value);
    },
    onSelect: trackCaret,
    onKeyDown,
    onFocus,
    onBlur: (event: FocusEvent<HTMLElement>) => {
      setArmed(false);
      onBlur?.(event);
    },
    spellCheck: false,
    autoComplete: "off",
    "aria-controls": open ? listId : undefined,
    "aria-activedescendant": open ? optionId(activeIndex) : undefined,
    className: cn(inputClass, "read-only:bg-stone-50", multiline && "resize-y", className),
  };

  return (
    <Popover.Root open={open}>
      <Popover.Anchor asChild>
        {multiline ? (
          <textarea {...shared} rows={rows} />
        ) : (
          <input {...shared} type={type} role="combobox" aria-expanded={open} aria-autocomplete="list" />
        )}
      </Popover.Anchor>
      <span className="sr-only" aria-live="polite">
        {open ? `${options.length} template ${options.length === 1 ? "suggestion" : "suggestions"}` : ""}
      </span>
      <Popover.Portal>
        <Popover.Content
          id={listId}
          role="listbox"
          aria-label="Template suggestions"
          align="start"
          sideOffset={4}
          collisionPadding={8}
          onOpenAutoFocus={(event) => event.preventDefault()}
          onCloseAutoFocus={(event) => event.preventDefault()}
          // The input stays focused and owns the keys; clicks on it must not count as "outside".
          onInteractOutside={(event) => event.preventDefault()}
          onEscapeKeyDown={(event) => event.preventDefault()}
          className="z-50 max-h-64 w-[var(--radix-popover-trigger-width)] min-w-64 overflow-y-auto rounded-md border border-stone-200 bg-white py-1 text-sm shadow-lg"
        >
          {options.map((suggestion, i) => {
            const { Icon, label } = GROUPS[suggestion.group];
            return (
              <div
                key={suggestion.insert}
                id={optionId(i)}
                role="option"
                aria-selected={i === activeIndex}
                // mousedown would move focus off the input before the click picks.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => pick(suggestion)}
                onMouseMove={() => i !== activeIndex && setActive(i)}
                className={cn("flex cursor-pointer items-center gap-2 px-2.5 py-1.5", i === activeIndex ? "bg-indigo-50 text-indigo-900" : "text-stone-800")}
              >
                <Icon className="size-3.5 shrink-0 text-stone-400" aria-hidden />
                <span className="sr-only">{label}:</span>
                <span className="min-w-0 flex-1 truncate font-mono text-xs">{suggestion.insert}</span>
                {suggestion.detail && <span className="max-w-[45%] shrink-0 truncate text-xs text-stone-500">{suggestion.detail}</span>}
              </div>
            );
          })}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

/** Replaces the typed path (and the rest of a template the caret was inside) with `path}}`. */
function applyTemplate(path: string) {
  return (view: EditorView, completion: Completion, from: number, to: number) => {
    const end = to + templateTailLength(view.state.sliceDoc(to, to + 200));
    const insert = `${path}}}`;
    view.dispatch({ changes: { from, to: end, insert }, selection: { anchor: from + insert.length }, userEvent: "input.complete" });
  };
}

/**
 * A CodeMirror completion source offering `suggestions` after `{{`. Pass a function to read a
 * list that changes without reconfiguring the editor.
 */
export function templateCompletions(suggestions: readonly TemplateSuggestion[] | (() => readonly TemplateSuggestion[])): CompletionSource {
  return (context) => {
    const match = context.matchBefore(/\{\{\s*[^{}\s]*$/);
    if (!match) return null;
    const from = match.from + (/^\{\{\s*/.exec(match.text)?.[0].length ?? 2);
    const list = typeof suggestions === "function" ? suggestions() : suggestions;
    return {
      from,
      options: list.map((s) => ({ label: s.insert, detail: s.detail, type: GROUPS[s.group].cm, section: GROUPS[s.group].label, apply: applyTemplate(s.insert) })),
      validFor: /^[^{}\s]*$/,
    };
  };
}
