"use client";

/**
 * A `key_value` param (headers, query parameters): rows of name and value, values completing
 * templates. Rows without a name are drafts and are not sent; two rows with one name are refused.
 */
import { Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Button } from "@/app/_ui/button";
import { inputClass } from "@/app/_ui/field";
import { LocalError, type WidgetProps } from "./param-draft";
import { emptyRow, parseRows, rowsOf, type KeyValueRow } from "./param-values";
import { TemplateInput } from "./template-input";
import { useDraft } from "./use-draft";

export function KeyValueField({ param, value, send, suggestions, readOnly, ids, invalid }: WidgetProps) {
  const [draft, setDraft, scope, sent] = useDraft(value, (v) => ({ rows: rowsOf(v), error: null as string | null }));
  // The row just added gets the focus, so "Add" then typing works from the keyboard.
  const [added, setAdded] = useState<number | null>(null);
  const singular = param.ui.label.replace(/s$/i, "").toLowerCase() || "entry";

  function update(rows: KeyValueRow[]) {
    const parsed = parseRows(rows);
    setDraft({ rows, error: parsed.ok ? null : parsed.error });
    if (parsed.ok) {
      sent(parsed.value ?? undefined);
      send(parsed.value);
    }
  }
  const edit = (id: number, change: Partial<KeyValueRow>) => update(draft.rows.map((row) => (row.id === id ? { ...row, ...change } : row)));

  return (
    <div ref={scope} role="group" aria-labelledby={ids.label} aria-describedby={ids.describedBy} className="space-y-2">
      {draft.rows.length === 0 && <p className="text-xs text-stone-500">{readOnly ? "None." : `No ${param.ui.label.toLowerCase()} yet.`}</p>}
      {draft.rows.map((row, i) => (
        <div key={row.id} className="flex items-start gap-2">
          <div className="w-2/5 shrink-0">
            <input
              id={i === 0 ? ids.control : undefined}
              autoFocus={row.id === added}
              value={row.name}
              onChange={(event) => edit(row.id, { name: event.target.value })}
              placeholder="Name"
              aria-label={`${param.ui.label}: name ${i + 1}`}
              aria-invalid={invalid || Boolean(draft.error) || undefined}
              readOnly={readOnly}
              spellCheck={false}
              autoComplete="off"
              className={`${inputClass} font-mono text-xs read-only:bg-stone-50`}
            />
          </div>
          <div className="min-w-0 flex-1">
            <TemplateInput
              value={row.value}
              onChange={(text) => edit(row.id, { value: text })}
              suggestions={suggestions}
              placeholder="Value"
              readOnly={readOnly}
              aria-label={`${param.ui.label}: value of ${row.name || `row ${i + 1}`}`}
              className="text-xs"
            />
          </div>
          {!readOnly && (
            <Button
              size="sm"
              variant="ghost"
              className="mt-0.5 size-8 px-0"
              aria-label={`Remove ${singular} ${row.name || i + 1}`}
              title="Remove"
              onClick={() => update(draft.rows.filter((r) => r.id !== row.id))}
            >
              <Trash2 className="size-3.5" aria-hidden />
            </Button>
          )}
        </div>
      ))}
      <LocalError id={ids.local} error={draft.error} />
      {!readOnly && (
        <Button
          size="sm"
          onClick={() => {
            const row = emptyRow();
            setAdded(row.id);
            setDraft({ ...draft, rows: [...draft.rows, row] });
          }}
        >
          <Plus className="size-3.5" aria-hidden /> Add {singular}
        </Button>
      )}
    </div>
  );
}
