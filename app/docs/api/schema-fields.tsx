import { ChevronRight } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "@/app/_ui/cn";
import { Prose } from "./prose";
import type { Field, SchemaView } from "./schema-view";

/** A schema as the reference shows it: its fields when it has some, else its type in one line. */
export function SchemaBlock({ view }: { view: SchemaView }) {
  const nested = view.fields.length > 0 || view.variants.length > 0;
  return (
    <div>
      {(!nested || view.type !== "object") && (
        <p className="mb-2 flex flex-wrap items-baseline gap-x-2 text-xs text-stone-500">
          <TypeLabel view={view} />
        </p>
      )}
      {!nested && view.description && <Prose text={view.description} />}
      {!nested && <Facts view={view} />}
      {view.fields.length > 0 && <FieldList fields={view.fields} />}
      {view.variants.length > 0 && <Variants variants={view.variants} />}
    </div>
  );
}

/** Rows of fields: name, type, required, description, allowed values and limits; children fold. */
export function FieldList({ fields }: { fields: Field[] }) {
  return (
    <ul className="divide-y divide-stone-100 border-y border-stone-100">
      {fields.map((field) => (
        <li key={field.name} className="py-3" data-field={field.name}>
          <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
            <code className="font-mono text-[13px] font-semibold text-stone-900">{field.name}</code>
            <TypeLabel view={field} />
            {field.required && <span className="text-xs font-medium text-amber-700">required</span>}
            {field.deprecated && <span className="text-xs font-medium text-rose-700">deprecated</span>}
          </div>
          {field.description && <Prose text={field.description} className="mt-1" />}
          <Facts view={field} />
          {field.fields.length > 0 && (
            <Fold label={`${field.fields.length} ${field.type.startsWith("array") ? "item attributes" : field.type.startsWith("map") ? "value attributes" : "child attributes"}`}>
              <FieldList fields={field.fields} />
            </Fold>
          )}
          {field.variants.length > 0 && (
            <Fold label={`${field.variants.length} possible shapes`}>
              <Variants variants={field.variants} />
            </Fold>
          )}
        </li>
      ))}
    </ul>
  );
}

function TypeLabel({ view }: { view: SchemaView }) {
  return (
    <span className="font-mono text-xs text-stone-500">
      {view.type}
      {view.nullable && " | null"}
      {view.schemaName && view.schemaName !== view.type && !view.type.includes(view.schemaName) && <span className="text-stone-400"> ({view.schemaName})</span>}
      {view.recursive && <span className="font-sans text-stone-400"> — described above</span>}
    </span>
  );
}

/** Allowed values and limits, under a field's description. */
function Facts({ view }: { view: SchemaView }) {
  if (view.enumValues.length === 0 && view.constraints.length === 0) return null;
  return (
    <div className="mt-1.5 space-y-1 text-xs text-stone-500">
      {view.enumValues.length > 0 && (
        <div className="flex flex-wrap items-center gap-1">
          <span>{view.enumValues.length === 1 ? "Value:" : "One of:"}</span>
          {view.enumValues.map((value) => (
            <code key={value} className="rounded border border-stone-200 bg-stone-50 px-1 py-px font-mono text-[11px] text-stone-700">
              {value}
            </code>
          ))}
        </div>
      )}
      {view.constraints.length > 0 && <div>{view.constraints.join(" · ")}</div>}
    </div>
  );
}

function Variants({ variants }: { variants: SchemaView[] }) {
  return (
    <div className="space-y-3 py-2">
      {variants.map((variant, i) => (
        <div key={i}>
          <div className="mb-1 text-xs font-medium text-stone-500">
            {i === 0 ? "Either" : "or"} <span className="font-mono text-stone-700">{variant.schemaName ?? variant.type}</span>
          </div>
          <SchemaBlock view={variant} />
        </div>
      ))}
    </div>
  );
}

/**
 * A folded group under a field (native <details>: works without JavaScript, keyboard included).
 * The open-state styles match only this fold's own summary, not those of folds nested inside it.
 */
function Fold({ label, children }: { label: string; children: ReactNode }) {
  return (
    <details className="mt-2 rounded-md border border-stone-200">
      <summary
        className={cn(
          "flex cursor-pointer list-none items-center gap-1 rounded-md px-2.5 py-1.5 text-xs font-medium text-stone-600 select-none [&::-webkit-details-marker]:hidden",
          "hover:bg-stone-50 hover:text-stone-900 focus-visible:outline-2 focus-visible:outline-indigo-600",
        )}
      >
        <ChevronRight className="size-3.5 transition-transform [details[open]>summary_&]:rotate-90" aria-hidden />
        <span className="[details[open]>summary_&]:hidden">Show {label}</span>
        <span className="hidden [details[open]>summary_&]:inline">Hide {label}</span>
      </summary>
      <div className="border-t border-stone-200 px-3">{children}</div>
    </details>
  );
}
