"use client";

/**
 * The workflow's variables (`{{vars.name}}`): rows of name and value. A value is parsed as JSON
 * when it is valid JSON (`3`, `true`, `{"a":1}`) and kept as text otherwise. Each edit calls
 * `onChange` at once with what changed: a name set to its value, a removed or renamed-away name
 * to null. A row is sent only once its name is usable and unique.
 */
import { Plus, Trash2 } from "lucide-react";
import { useId, useState } from "react";
import { Button } from "@/app/_ui/button";
import { cn } from "@/app/_ui/cn";
import { inputClass } from "@/app/_ui/field";
import { FORBIDDEN_KEYS } from "@/lib/engine/model";
import { variableText, variableValue } from "./param-values";
import { useDraft } from "./use-draft";

/** A name `{{vars.…}}` can reach (lib/engine/templates.ts). */
const VARIABLE_NAME = /^[\p{L}_$][\p{L}\p{N}_$-]*$/u;

interface Row {
  id: number;
  name: string;
  text: string;
  /** The name this row was last sent (or loaded) under; null until it is first sent. */
  sentName: string | null;
}

let nextRowId = 1;

/**
 * Why a row cannot be sent under its name, or null. Of two rows with one name, the one saved
 * under it (else the first) keeps it; the other waits for a new name.
 */
function nameProblem(row: Row, rows: readonly Row[]): string | null {
  const { name } = row;
  if (name === "") return "Give it a name.";
  if (FORBIDDEN_KEYS.has(name) || !VARIABLE_NAME.test(name)) return "Use letters, digits, _ or -, starting with a letter or _.";
  if (row.sentName === name) return null;
  const at = rows.indexOf(row);
  if (rows.some((other, i) => other !== row && other.name === name && (other.sentName === name || i < at))) return "Another variable has this name.";
  return null;
}

const rowsOf = (variables: Record<string, unknown> | undefined): Row[] =>
  Object.entries(variables ?? {}).map(([name, value]) => ({ id: nextRowId++, name, text: variableText(value), sentName: name }));

export function VariablesPanel({
  variables,
  onChange,
  readOnly,
}: {
  variables: Record<string, unknown> | undefined;
  onChange: (vars: Record<string, unknown | null>) => void;
  readOnly?: boolean;
}) {
  const base = useId();
  const [rows, setRows, scope, sent] = useDraft(variables, rowsOf);

  /** Sends a change, noting the variables the parent will then hold. */
  function send(diff: Record<string, unknown>) {
    const after: Record<string, unknown> = { ...variables };
    for (const [name, value] of Object.entries(diff)) {
      if (value === null) delete after[name];
      else after[name] = value;
    }
    sent(after);
    onChange(diff);
  }
  const [added, setAdded] = useState<number | null>(null);

  /** Applies `change` to one row and sends what it means for the variables, if it can be sent. */
  function edit(id: number, change: Partial<Pick<Row, "name" | "text">>) {
    const next = rows.map((row) => (row.id === id ? { ...row, ...change } : row));
    const row = next.find((r) => r.id === id)!;
    if (nameProblem(row, next)) return setRows(next);
    const diff: Record<string, unknown> = {};
    if (row.sentName !== null && row.sentName !== row.name) diff[row.sentName] = null;
    diff[row.name] = variableValue(row.text);
    setRows(next.map((r) => (r.id === id ? { ...r, sentName: r.name } : r)));
    send(diff);
  }

  function remove(row: Row) {
    setRows(rows.filter((r) => r.id !== row.id));
    if (row.sentName !== null) send({ [row.sentName]: null });
  }

  return (
    <section ref={scope} aria-labelledby={`${base}-title`} className="space-y-3">
      <div>
        <h3 id={`${base}-title`} className="text-xs font-semibold uppercase tracking-wide text-stone-500">
          Variables
        </h3>
        <p className="mt-1 text-xs text-stone-500">
          Values every block can use as <code className="font-mono">{"{{vars.name}}"}</code>. JSON is read as JSON (<code className="font-mono">3</code>, <code className="font-mono">true</code>,{" "}
          <code className="font-mono">{'{"a":1}'}</code>); anything else is text.
        </p>
      </div>
      {rows.length === 0 && <p className="text-sm text-stone-500">No variables yet.</p>}
      {rows.length > 0 && (
        <ul className="space-y-2">
          {rows.map((row, i) => {
            const problem = row.name === "" && row.sentName === null && row.text === "" ? null : nameProblem(row, rows);
            return (
              <li key={row.id} className="space-y-1">
                <div className="flex items-start gap-2">
                  <div className="w-2/5 shrink-0">
                    <input
                      value={row.name}
                      onChange={(event) => edit(row.id, { name: event.target.value })}
                      autoFocus={row.id === added}
                      placeholder="name"
                      readOnly={readOnly}
                      spellCheck={false}
                      autoComplete="off"
                      aria-label={`Variable ${i + 1}: name`}
                      aria-invalid={Boolean(problem) || undefined}
                      aria-describedby={problem ? `${base}-problem-${row.id}` : undefined}
                      className={cn(inputClass, "font-mono text-xs read-only:bg-stone-50")}
                    />
                  </div>
                  <div className="min-w-0 flex-1">
                    <input
                      value={row.text}
                      onChange={(event) => edit(row.id, { text: event.target.value })}
                      placeholder="value"
                      readOnly={readOnly}
                      spellCheck={false}
                      autoComplete="off"
                      aria-label={`Value of ${row.name || `variable ${i + 1}`}`}
                      className={cn(inputClass, "font-mono text-xs read-only:bg-stone-50")}
                    />
                  </div>
                  {!readOnly && (
                    <Button size="sm" variant="ghost" className="mt-0.5 size-8 px-0" aria-label={`Remove variable ${row.name || i + 1}`} title="Remove" onClick={() => remove(row)}>
                      <Trash2 className="size-3.5" aria-hidden />
                    </Button>
                  )}
                </div>
                {problem && (
                  <p id={`${base}-problem-${row.id}`} className="text-xs text-red-700">
                    {problem} {row.sentName !== null && row.sentName !== row.name ? `Still saved as "${row.sentName}".` : "Not saved yet."}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {!readOnly && (
        <Button
          size="sm"
          onClick={() => {
            const row: Row = { id: nextRowId++, name: "", text: "", sentName: null };
            setAdded(row.id);
            setRows([...rows, row]);
          }}
        >
          <Plus className="size-3.5" aria-hidden /> Add variable
        </Button>
      )}
    </section>
  );
}
