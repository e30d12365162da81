"use client";

import { ChevronDown, ChevronRight } from "lucide-react";
import { useState } from "react";
import { CopyButton } from "./copy";

/** A titled, collapsible JSON block with a copy button (values are shown as the server sent them). */
export function JsonView({ title, value, defaultOpen = true }: { title: string; value: unknown; defaultOpen?: boolean }) {
  const [open, setOpen] = useState(defaultOpen);
  const text = value === undefined ? "undefined" : JSON.stringify(value, null, 2);
  return (
    <div className="rounded-md border border-stone-200 bg-stone-50">
      <div className="flex items-center justify-between px-2 py-1">
        <button
          type="button"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          className="inline-flex items-center gap-1 rounded px-1 text-xs font-medium uppercase tracking-wide text-stone-500 hover:text-stone-800 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          {open ? <ChevronDown className="size-3.5" aria-hidden /> : <ChevronRight className="size-3.5" aria-hidden />}
          {title}
        </button>
        <CopyButton value={text} label={`Copy ${title.toLowerCase()}`} />
      </div>
      {open && (
        <pre className="max-h-80 overflow-auto border-t border-stone-200 px-3 py-2 font-mono text-xs leading-relaxed text-stone-800">{text}</pre>
      )}
    </div>
  );
}
