"use client";

/**
 * One param of the block panel, drawn from its catalog hint (docs/connectors.md, "Editor hints"):
 * the label above with a required mark, the widget, the description below, and the server's
 * issues about it inline. Every widget keeps its draft locally and sends each change at once.
 */
import { Users } from "lucide-react";
import { useId } from "react";
import { Button } from "@/app/_ui/button";
import { cn } from "@/app/_ui/cn";
import { inputClass } from "@/app/_ui/field";
import type { CatalogParamFull } from "@/lib/engine/catalog";
import { LazyCodeEditor } from "./lazy-code-editor";
import { KeyValueField } from "./key-value-field";
import { LocalError, useParsedDraft, type WidgetProps } from "./param-draft";
import { jsonTextOf, parseJson, parseNumber, parseText, textOf, type Parsed } from "./param-values";
import { SecretField } from "./secret-field";
import { Switch } from "@/app/_ui/switch";
import { TemplateInput } from "./template-input";
import type { BlockIssue, TemplateSuggestion } from "./types";
import { useDraft } from "./use-draft";

function TextWidget({ param, value, send, suggestions, readOnly, ids, invalid, multiline }: WidgetProps & { multiline?: boolean }) {
  const draft = useParsedDraft(value, textOf, parseText, send);
  return (
    <div ref={draft.scope}>
      <TemplateInput
        id={ids.control}
        value={draft.text}
        onChange={draft.edit}
        suggestions={suggestions}
        multiline={multiline}
        rows={4}
        placeholder={param.ui.placeholder}
        readOnly={readOnly}
        aria-describedby={ids.describedBy}
        aria-invalid={invalid || undefined}
        aria-required={param.required || undefined}
      />
    </div>
  );
}

function NumberWidget({ param, value, send, suggestions, readOnly, ids, invalid }: WidgetProps) {
  const draft = useParsedDraft(value, textOf, parseNumber, send);
  return (
    <div ref={draft.scope} className="space-y-1">
      <TemplateInput
        id={ids.control}
        value={draft.text}
        onChange={draft.edit}
        suggestions={suggestions}
        inputMode="decimal"
        placeholder={param.ui.placeholder ?? (param.default !== undefined ? String(param.default) : undefined)}
        readOnly={readOnly}
        className="font-mono tabular-nums"
        aria-describedby={ids.describedBy}
        aria-invalid={invalid || Boolean(draft.error) || undefined}
        aria-required={param.required || undefined}
      />
      <LocalError id={ids.local} error={draft.error} />
    </div>
  );
}

function CodeWidget({ param, value, send, suggestions, readOnly, ids, invalid }: WidgetProps) {
  const javascriptCode = param.ui.widget === "code" && param.ui.language === "javascript";
  // A `code` param of type string keeps its text; a `json` param holds the parsed value.
  const keepsText = param.ui.widget === "code" && param.type === "string";
  const parse = (text: string): Parsed => (javascriptCode ? parseText(text) : parseJson(text, keepsText));
  const draft = useParsedDraft(value, (v) => (javascriptCode ? textOf(v) : jsonTextOf(v, keepsText)), parse, send);
  return (
    <div ref={draft.scope} className="space-y-1">
      <LazyCodeEditor
        value={draft.text}
        onChange={draft.edit}
        language={javascriptCode ? "javascript" : "json"}
        suggestions={suggestions}
        labelledBy={ids.label}
        describedBy={ids.describedBy}
        invalid={invalid || Boolean(draft.error)}
        readOnly={readOnly}
        placeholder={param.ui.placeholder}
      />
      <LocalError id={ids.local} error={draft.error} />
    </div>
  );
}

function SelectWidget({ param, value, send, readOnly, ids, invalid }: WidgetProps) {
  const options = param.ui.options ?? [];
  const [draft, setDraft, scope, sent] = useDraft(value, (v) => v);
  const index = options.findIndex((option) => option === draft);
  // A value that is not an option (a template, a stale value) stays visible rather than being lost.
  const foreign = draft !== undefined && draft !== null && index < 0;
  const choose = (key: string) => {
    const next = key === "" ? null : key === "foreign" ? draft : options[Number(key)];
    setDraft(next);
    sent(next ?? undefined);
    send(next);
  };
  return (
    <select
      ref={scope}
      id={ids.control}
      value={foreign ? "foreign" : index >= 0 ? String(index) : ""}
      onChange={(event) => choose(event.target.value)}
      disabled={readOnly}
      aria-describedby={ids.describedBy}
      aria-invalid={invalid || undefined}
      aria-required={param.required || undefined}
      className={inputClass}
    >
      <option value="">{param.default !== undefined ? `Default (${String(param.default)})` : param.required ? "Choose…" : "Not set"}</option>
      {options.map((option, i) => (
        <option key={String(option)} value={String(i)}>
          {String(option)}
        </option>
      ))}
      {foreign && <option value="foreign">{`${textOf(draft)} (not one of the options)`}</option>}
    </select>
  );
}

function BooleanWidget(props: WidgetProps) {
  const { param, value, send, readOnly, ids } = props;
  const [draft, setDraft, scope, sent] = useDraft(value, (v) => v);
  // A template (`{{vars.dryRun}}`) is a string until the run: edit it as text.
  if (typeof draft === "string") return <TextWidget {...props} />;
  const checked = typeof draft === "boolean" ? draft : param.default === true;
  return (
    <div ref={scope} className="flex items-center gap-3">
      <Switch
        id={ids.control}
        checked={checked}
        labelledBy={ids.label}
        describedBy={ids.describedBy}
        disabled={readOnly}
        onCheckedChange={(next) => {
          setDraft(next);
          sent(next);
          send(next);
        }}
      />
      <span className="text-sm text-stone-600">{draft === undefined && param.default === undefined ? "Not set" : checked ? "On" : "Off"}</span>
      {draft !== undefined && !param.required && !readOnly && (
        <Button
          size="sm"
          variant="ghost"
          onClick={() => {
            setDraft(undefined);
            sent(undefined);
            send(null);
          }}
        >
          Use default{param.default !== undefined ? ` (${param.default ? "on" : "off"})` : ""}
        </Button>
      )}
    </div>
  );
}

function Widget(props: WidgetProps) {
  switch (props.param.ui.widget) {
    case "text":
      return <TextWidget {...props} />;
    case "textarea":
      return <TextWidget {...props} multiline />;
    case "secret":
      return <SecretField {...props} />;
    case "number":
      return <NumberWidget {...props} />;
    case "select":
      return <SelectWidget {...props} />;
    case "boolean":
      return <BooleanWidget {...props} />;
    case "key_value":
      return <KeyValueField {...props} />;
    default:
      // code, json, and any widget this editor does not know yet: JSON always fits.
      return <CodeWidget {...props} />;
  }
}

/** The issues about a param: its own (`field` = its name) and those about a part of it (`cases.0.handle`). */
export function issuesFor(name: string, issues: readonly BlockIssue[]): BlockIssue[] {
  return issues.filter((issue) => issue.field === name || issue.field?.startsWith(`${name}.`) || issue.field?.startsWith(`${name}[`));
}

/** The server's message, and its hint when it gave one. */
export function IssueText({ issue }: { issue: BlockIssue }) {
  return (
    <>
      <span>{issue.message}</span>
      {issue.hint && <span className="block text-red-600/90">Try: {issue.hint}</span>}
    </>
  );
}

export function ParamField({
  param,
  value,
  issues,
  suggestions,
  secretNames,
  readOnly,
  onChange,
}: {
  param: CatalogParamFull;
  value: unknown;
  /** This param's issues only (see `issuesFor`). */
  issues: readonly BlockIssue[];
  suggestions: readonly TemplateSuggestion[];
  secretNames: readonly string[];
  readOnly?: boolean;
  onChange: (name: string, value: unknown) => void;
}) {
  const base = useId();
  const ids = { control: `${base}-control`, label: `${base}-label`, help: `${base}-help`, local: `${base}-local`, issues: `${base}-issues` };
  const help = [param.description, param.default !== undefined && param.ui.widget !== "boolean" && param.ui.widget !== "select" ? `Default: ${textOf(param.default)}.` : null]
    .filter(Boolean)
    .join(" ");
  const describedBy = [ids.local, help ? ids.help : null, issues.length > 0 ? ids.issues : null].filter(Boolean).join(" ");
  return (
    <div className="space-y-1.5" data-param={param.name}>
      <div className="flex items-center justify-between gap-2">
        <label id={ids.label} htmlFor={ids.control} className="block text-sm font-medium text-stone-800">
          {param.ui.label}
          {param.required && (
            <span className="ml-0.5 text-red-600" aria-hidden>
              *
            </span>
          )}
          {param.required && <span className="sr-only"> (required)</span>}
        </label>
        {param.visibility === "user" && (
          <span title="Only people in the editor can set this; API keys and agents cannot." className="inline-flex items-center gap-1 text-[11px] text-stone-500">
            <Users className="size-3" aria-hidden /> People only
          </span>
        )}
      </div>
      <Widget
        param={param}
        value={value}
        send={(next) => onChange(param.name, next)}
        suggestions={param.templates === false ? [] : suggestions}
        secretNames={secretNames}
        readOnly={readOnly}
        ids={{ control: ids.control, label: ids.label, local: ids.local, describedBy }}
        invalid={issues.length > 0}
      />
      {help && (
        <p id={ids.help} className="text-xs text-stone-500">
          {help}
        </p>
      )}
      {issues.length > 0 && (
        <ul id={ids.issues} className={cn("space-y-1 text-xs text-red-700")}>
          {issues.map((issue, i) => (
            <li key={`${issue.code}-${i}`}>
              <IssueText issue={issue} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
