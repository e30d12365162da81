"use client";

/**
 * The editor's right-hand panel for the selected block: its connector, id, name and switch, a
 * field per catalog param (docs/connectors.md, "Editor hints"), the params it has that the
 * catalog does not know, and its retry policy. Every edit calls `onChange` at once with only
 * what changed; the parent debounces saving. Inputs keep their own state (use-draft.ts), and the
 * whole panel starts over when another block is selected.
 */
import { AlertTriangle, ChevronDown, ChevronRight, Trash2, X } from "lucide-react";
import { useId, useState } from "react";
import { Button } from "@/app/_ui/button";
import { cn } from "@/app/_ui/cn";
import { IdBadge } from "@/app/_ui/copy";
import { inputClass } from "@/app/_ui/field";
import type { Block } from "@/lib/engine/model";
import { issuesFor, IssueText, ParamField } from "./param-field";
import { ParamsJsonEditor } from "./params-json-editor";
import { RetrySection } from "./retry-section";
import { Switch } from "@/app/_ui/switch";
import type { BlockChange, BlockIssue, CatalogEntry, TemplateSuggestion } from "./types";
import { useDraft } from "./use-draft";

export interface BlockPanelProps {
  block: Block;
  /** The block type's catalog entry; undefined when the catalog does not know the type. */
  entry: CatalogEntry | undefined;
  /** What the server said about this block on the last save. */
  issues: readonly BlockIssue[];
  suggestions: readonly TemplateSuggestion[];
  secretNames: readonly string[];
  onChange: (change: BlockChange) => void;
  onClose: () => void;
  readOnly?: boolean;
}

/** The param an issue's field is about: `cases.0.handle` → `cases`. */
const rootOf = (field: string) => field.split(/[.[]/)[0];

export function BlockPanel(props: BlockPanelProps) {
  return (
    <aside aria-label="Block settings" className="flex h-full min-h-0 w-full flex-col bg-white">
      <PanelContent key={props.block.id} {...props} />
    </aside>
  );
}

function PanelContent({ block, entry, issues, suggestions, secretNames, onChange, onClose, readOnly }: BlockPanelProps) {
  const params = entry?.params ?? [];
  const known = new Set(params.map((p) => p.name));
  const blockIssues = issues.filter((issue) => !issue.field || !known.has(rootOf(issue.field)));
  const unknown = Object.keys(block.params).filter((key) => !known.has(key));
  const basic = params.filter((p) => !p.ui.advanced);
  const advanced = params.filter((p) => p.ui.advanced);
  const advancedIssues = advanced.reduce((n, p) => n + issuesFor(p.name, issues).length, 0);
  const advancedSet = advanced.filter((p) => Object.hasOwn(block.params, p.name)).length;
  const [showAdvanced, setShowAdvanced] = useState(advancedIssues > 0);
  const [chosenMode, setMode] = useState<"form" | "json">("form");
  // Without a catalog entry only JSON works; the form comes back when the catalog arrives (a block clicked while it loads).
  const mode = entry ? chosenMode : "json";
  const ids = useId();

  const setParam = (name: string, value: unknown) => onChange({ params: { [name]: value } });
  const field = (param: CatalogEntry["params"][number]) => (
    <ParamField
      key={param.name}
      param={param}
      value={Object.hasOwn(block.params, param.name) ? block.params[param.name] : undefined}
      issues={issuesFor(param.name, issues)}
      suggestions={suggestions}
      secretNames={secretNames}
      readOnly={readOnly}
      onChange={setParam}
    />
  );

  return (
    <>
      <header className="flex items-start gap-3 border-b border-stone-200 px-4 py-3">
        <div className="min-w-0 flex-1">
          <h2 className="truncate text-base font-semibold text-stone-900">{entry?.name ?? block.type}</h2>
          <div className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs text-stone-500">
            <span>{entry ? entry.category : "unknown type"}</span>
            <span aria-hidden>·</span>
            <IdBadge id={block.id} />
          </div>
        </div>
        <Button variant="ghost" size="sm" className="size-8 px-0" onClick={onClose} aria-label="Close block settings" title="Close">
          <X className="size-4" aria-hidden />
        </Button>
      </header>

      <div className="min-h-0 flex-1 space-y-5 overflow-y-auto px-4 py-4">
        {entry?.description && <ConnectorDescription text={entry.description} />}
        {!entry && (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-900">
            The catalog has no block type <code className="font-mono">{block.type}</code>, so its params can only be edited as JSON.
          </p>
        )}
        {blockIssues.length > 0 && (
          <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-xs text-red-800">
            <p className="flex items-center gap-1.5 font-medium">
              <AlertTriangle className="size-3.5" aria-hidden /> {blockIssues.length === 1 ? "1 problem with this block" : `${blockIssues.length} problems with this block`}
            </p>
            <ul className="mt-1 list-disc space-y-1 pl-5">
              {blockIssues.map((issue, i) => (
                <li key={`${issue.code}-${issue.field ?? ""}-${i}`}>
                  {issue.field && <code className="mr-1 font-mono">{issue.field}:</code>}
                  <IssueText issue={issue} />
                </li>
              ))}
            </ul>
          </div>
        )}

        <NameAndSwitch block={block} onChange={onChange} readOnly={readOnly} />

        {(params.length > 0 || unknown.length > 0 || !entry) && (
          <section aria-labelledby={`${ids}-params`} className="space-y-4">
            <div className="flex items-center justify-between gap-2">
              <h3 id={`${ids}-params`} className="text-xs font-semibold uppercase tracking-wide text-stone-500">
                Params
              </h3>
              <div role="group" aria-label="Edit params as" className="inline-flex rounded-md border border-stone-300 p-0.5 text-xs">
                {(["form", "json"] as const).map((m) => (
                  <button
                    key={m}
                    type="button"
                    aria-pressed={mode === m}
                    disabled={m === "form" && !entry}
                    onClick={() => setMode(m)}
                    className={cn(
                      "rounded px-2 py-0.5 font-medium focus-visible:outline-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:text-stone-300",
                      mode === m ? "bg-stone-800 text-white" : "text-stone-600 hover:bg-stone-100",
                    )}
                  >
                    {m === "form" ? "Form" : "JSON"}
                  </button>
                ))}
              </div>
            </div>

            {mode === "json" ? (
              <ParamsJsonEditor params={block.params} onChange={(diff) => onChange({ params: diff })} suggestions={suggestions} readOnly={readOnly} />
            ) : (
              <>
                {basic.map(field)}
                {advanced.length > 0 && (
                  <div className="space-y-4">
                    <button
                      type="button"
                      aria-expanded={showAdvanced}
                      aria-controls={`${ids}-advanced`}
                      onClick={() => setShowAdvanced(!showAdvanced)}
                      className="inline-flex items-center gap-1 rounded text-sm font-medium text-stone-600 hover:text-stone-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
                    >
                      {showAdvanced ? <ChevronDown className="size-4" aria-hidden /> : <ChevronRight className="size-4" aria-hidden />}
                      {showAdvanced ? "Hide advanced" : "Show advanced"}
                      <span className="font-normal text-stone-500">
                        {[advancedSet > 0 && `${advancedSet} set`, advancedIssues > 0 && `${advancedIssues} ${advancedIssues === 1 ? "problem" : "problems"}`]
                          .filter(Boolean)
                          .map((text) => ` · ${text}`)
                          .join("")}
                      </span>
                    </button>
                    <div id={`${ids}-advanced`} hidden={!showAdvanced} className="space-y-4">
                      {showAdvanced && advanced.map(field)}
                    </div>
                  </div>
                )}
                {unknown.length > 0 && <UnknownParams block={block} keys={unknown} onChange={onChange} readOnly={readOnly} />}
              </>
            )}
          </section>
        )}
        {params.length === 0 && unknown.length === 0 && entry && <p className="text-sm text-stone-500">This block has no params.</p>}

        {entry?.kind !== "trigger" && (
          <div className="border-t border-stone-200 pt-4">
            <RetrySection retry={block.retry} onChange={(retry) => onChange({ retry })} readOnly={readOnly} />
          </div>
        )}
      </div>
    </>
  );
}

function NameAndSwitch({ block, onChange, readOnly }: { block: Block; onChange: (change: BlockChange) => void; readOnly?: boolean }) {
  const id = useId();
  const [name, setName, nameScope, nameSent] = useDraft(block.name ?? "", (v) => v);
  const [enabled, setEnabled, enabledScope, enabledSent] = useDraft(block.enabled !== false, (v) => v);
  return (
    <div className="flex items-end gap-4">
      <div ref={nameScope} className="min-w-0 flex-1 space-y-1.5">
        <label htmlFor={`${id}-name`} className="block text-sm font-medium text-stone-800">
          Block name
        </label>
        <input
          id={`${id}-name`}
          value={name}
          maxLength={200}
          placeholder={block.id}
          readOnly={readOnly}
          onChange={(event) => {
            setName(event.target.value);
            nameSent(event.target.value);
            onChange({ name: event.target.value });
          }}
          className={`${inputClass} read-only:bg-stone-50`}
        />
      </div>
      <div ref={enabledScope} className="flex shrink-0 flex-col items-start gap-1.5 pb-2">
        <span id={`${id}-enabled`} className="text-sm font-medium text-stone-800">
          Enabled
        </span>
        <Switch
          checked={enabled}
          labelledBy={`${id}-enabled`}
          disabled={readOnly}
          onCheckedChange={(next) => {
            setEnabled(next);
            enabledSent(next);
            onChange({ enabled: next });
          }}
        />
      </div>
    </div>
  );
}

function UnknownParams({ block, keys, onChange, readOnly }: { block: Block; keys: string[]; onChange: (change: BlockChange) => void; readOnly?: boolean }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="space-y-2 rounded-md border border-amber-200 bg-amber-50/60 p-3">
      <h4 id={id} className="text-sm font-medium text-stone-800">
        Unknown params
      </h4>
      <p className="text-xs text-stone-600">
        {block.type} does not have these params, so saving them fails. Remove them, or rename them in JSON mode.
      </p>
      <ul className="divide-y divide-amber-200/70">
        {keys.map((key) => {
          const text = JSON.stringify(block.params[key]) ?? "undefined";
          return (
            <li key={key} className="flex items-center gap-2 py-1.5">
              <code className="shrink-0 font-mono text-xs font-medium text-stone-800">{key}</code>
              <code title={text} className="min-w-0 flex-1 truncate font-mono text-xs text-stone-500">
                {text}
              </code>
              {!readOnly && (
                <Button size="sm" variant="ghost" className="size-8 px-0" aria-label={`Remove param ${key}`} title="Remove" onClick={() => onChange({ params: { [key]: null } })}>
                  <Trash2 className="size-3.5" aria-hidden />
                </Button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** Characters past which a connector's description (written for agents too: limits, failure codes) is folded to its first lines. */
const LONG_DESCRIPTION = 200;

/** The block type's catalog description: long ones show three lines and a More/Less toggle, so the params stay in view. */
function ConnectorDescription({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const long = text.length > LONG_DESCRIPTION;
  return (
    <div>
      <p className={cn("text-xs text-stone-500", long && !open && "line-clamp-3")}>{text}</p>
      {long && (
        <button type="button" className="mt-1 text-xs font-medium text-indigo-700 hover:underline" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "Less" : "More about this block"}
        </button>
      )}
    </div>
  );
}
