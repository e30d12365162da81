"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { cn } from "./cn";

/** Copies `value` to the clipboard, says so, and shows a tick for a moment. */
export function CopyButton({ value, label = "Copy", className }: { value: string; label?: string; className?: string }) {
  const [done, setDone] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setDone(true);
      toast.success("Copied to the clipboard");
      setTimeout(() => setDone(false), 1500);
    } catch {
      toast.error("The browser did not allow copying; select the text and copy it instead.");
    }
  }
  return (
    <button
      type="button"
      onClick={copy}
      aria-label={label}
      title={label}
      className={cn(
        "inline-flex size-7 shrink-0 items-center justify-center rounded-md text-stone-500 hover:bg-stone-100 hover:text-stone-800",
        "focus-visible:outline-2 focus-visible:outline-indigo-600",
        className,
      )}
    >
      {done ? <Check className="size-3.5 text-green-600" aria-hidden /> : <Copy className="size-3.5" aria-hidden />}
    </button>
  );
}

/** An id in monospace, truncated in the middle, with a copy button. */
export function IdBadge({ id, className }: { id: string; className?: string }) {
  const short = id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-5)}` : id;
  return (
    <span className={cn("inline-flex items-center gap-0.5 font-mono text-xs text-stone-600", className)}>
      <span title={id}>{short}</span>
      <CopyButton value={id} label={`Copy ${id}`} />
    </span>
  );
}

/** A secret or key shown once: the value, a copy button, and nothing else to do with it later. */
export function SecretValue({ value, label }: { value: string; label: string }) {
  return (
    <div className="flex items-center gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2">
      <code data-testid="secret-value" className="min-w-0 flex-1 break-all font-mono text-xs text-stone-900">
        {value}
      </code>
      <CopyButton value={value} label={label} />
    </div>
  );
}
