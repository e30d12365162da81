import type { ReactNode } from "react";

/** A page's title, its one-line description and its primary action, top right. */
export function PageHeader({ title, description, actions, eyebrow }: { title: ReactNode; description?: ReactNode; actions?: ReactNode; eyebrow?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div className="min-w-0">
        {eyebrow && <div className="mb-1 text-sm text-stone-500">{eyebrow}</div>}
        <h1 className="truncate text-2xl font-semibold tracking-tight text-stone-900">{title}</h1>
        {description && <p className="mt-1 text-sm text-stone-500">{description}</p>}
      </div>
      {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
    </div>
  );
}

/** The card a table or a form sits in. */
export function Card({ children, className = "" }: { children: ReactNode; className?: string }) {
  return <div className={`rounded-lg border border-stone-200 bg-white shadow-sm ${className}`}>{children}</div>;
}

/** Table classes shared by every list: dense rows, hover states. */
export const table = {
  wrap: "relative overflow-x-auto rounded-lg border border-stone-200 bg-white shadow-sm",
  table: "min-w-full divide-y divide-stone-200 text-sm",
  th: "px-4 py-2.5 text-left text-xs font-medium uppercase tracking-wide text-stone-500 bg-stone-50",
  td: "px-4 py-3 align-middle text-stone-700",
  tr: "hover:bg-stone-50",
};

/** A column of `TableHead`: its label, and classes for it (e.g. hidden on phones). */
export type Column = string | { label: string; className?: string };

/** The header row of a list table; `actions` adds the unlabeled (screen-reader-only) actions column. */
export function TableHead({ columns, actions }: { columns: readonly Column[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => {
          const { label, className } = typeof column === "string" ? { label: column, className: undefined } : column;
          return (
            <th key={label} scope="col" className={className ? `${table.th} ${className}` : table.th}>
              {label}
            </th>
          );
        })}
        {actions && (
          <th scope="col" className={table.th}>
            <span className="sr-only">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
