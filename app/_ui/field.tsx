import type { ReactNode } from "react";
import { cn } from "./cn";

/** Text inputs, selects and textareas share one look and one focus ring. */
export const inputClass = cn(
  "block w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-sm text-stone-900 shadow-sm placeholder:text-stone-400",
  "focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 disabled:bg-stone-100 disabled:text-stone-500",
);

/** A label above its control, help text below, and the server's error inline. */
export function Field({ label, help, error, children, htmlFor }: { label: string; help?: ReactNode; error?: string | null; children: ReactNode; htmlFor?: string }) {
  return (
    <div className="space-y-1.5">
      <label htmlFor={htmlFor} className="block text-sm font-medium text-stone-800">
        {label}
      </label>
      {children}
      {error ? (
        <p role="alert" className="text-xs text-red-700">
          {error}
        </p>
      ) : help ? (
        <p className="text-xs text-stone-500">{help}</p>
      ) : null}
    </div>
  );
}

/** The server's answer that belongs to no one field, above the form's buttons; nothing without one. */
export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
      {message}
    </p>
  );
}
