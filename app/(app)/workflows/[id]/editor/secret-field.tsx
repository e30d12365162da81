"use client";

/**
 * A `secret` param: normally `{{secrets.NAME}}`, picked from the organization's secret names. A
 * literal value is shown masked (with a reveal button) and flagged: it is stored in the workflow as
 * plain text, or, for a secret-only param (docs/connectors.md), refused by the server unsaved.
 */
import { Eye, EyeOff } from "lucide-react";
import Link from "next/link";
import { useRef, useState } from "react";
import { cn } from "@/app/_ui/cn";
import { inputClass } from "@/app/_ui/field";
import { parseText, textOf } from "./param-values";
import { useParsedDraft, type WidgetProps } from "./param-draft";
import { TemplateInput, type TemplateInputHandle } from "./template-input";
import { isWholeTemplate } from "./template-text";

export function SecretField({ param, value, send, suggestions, secretNames, readOnly, ids, invalid }: WidgetProps) {
  const draft = useParsedDraft(value, textOf, parseText, send);
  const input = useRef<TemplateInputHandle>(null);
  const [revealed, setRevealed] = useState(false);
  // Anything with `{{` is a reference being written, not a secret: no need to hide it.
  const literal = draft.text !== "" && !draft.text.includes("{{");
  const masked = literal && !revealed;

  function pickSecret(name: string) {
    const template = `{{secrets.${name}}}`;
    // Usually the whole value is the secret; inside longer text ("Bearer …") it goes at the caret.
    if (draft.text.trim() === "" || isWholeTemplate(draft.text) || literal) draft.edit(template);
    else input.current?.insert(template);
  }

  return (
    <div ref={draft.scope} className="space-y-1.5">
      <div className="flex gap-2">
        <div className="relative min-w-0 flex-1">
          <TemplateInput
            ref={input}
            id={ids.control}
            type={masked ? "password" : "text"}
            value={draft.text}
            onChange={draft.edit}
            suggestions={suggestions}
            placeholder={param.ui.placeholder ?? "{{secrets.NAME}}"}
            readOnly={readOnly}
            className={cn("font-mono", literal && "pr-9")}
            aria-describedby={ids.describedBy}
            aria-invalid={invalid || undefined}
            aria-required={param.required || undefined}
          />
          {literal && (
            <button
              type="button"
              onClick={() => setRevealed(!revealed)}
              aria-label={revealed ? "Hide the value" : "Show the value"}
              aria-pressed={revealed}
              className="absolute inset-y-0 right-0 flex w-9 items-center justify-center rounded-r-md text-stone-500 hover:text-stone-800 focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              {revealed ? <EyeOff className="size-4" aria-hidden /> : <Eye className="size-4" aria-hidden />}
            </button>
          )}
        </div>
        {!readOnly && secretNames.length > 0 && (
          <div className="w-32 shrink-0">
            <select
              aria-label={`Insert a secret into ${param.ui.label}`}
              value=""
              onChange={(event) => event.target.value && pickSecret(event.target.value)}
              className={cn(inputClass, "text-stone-600")}
            >
              <option value="">Secret…</option>
              {secretNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {literal ? (
        <p className="text-xs text-amber-800">
          {param.secretOnly
            ? "A value cannot be saved here, only a secret. Add it in Settings → Secrets and pick it here."
            : "This value is stored in the workflow as plain text. Save it as a secret and pick it here instead."}
        </p>
      ) : (
        secretNames.length === 0 &&
        !readOnly && (
          <p className="text-xs text-stone-500">
            No secrets yet.{" "}
            <Link href="/settings?tab=secrets" className="font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600">
              Add one in Settings
            </Link>
            , then pick it here.
          </p>
        )
      )}
    </div>
  );
}
