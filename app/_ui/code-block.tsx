import type { ReactNode } from "react";
import { CopyButton } from "@/app/_ui/copy";

/** A dark panel of code to paste (a curl command, a script, an answer) with a title and a copy button; long lines scroll sideways, never wrap mid-flag. */
export function CodeBlock({ title, code, badge, testId }: { title: string; code: string; badge?: ReactNode; testId?: string }) {
  return (
    <div className="overflow-hidden rounded-lg bg-stone-900 shadow-sm ring-1 ring-stone-900/10">
      <div className="flex items-center justify-between gap-2 border-b border-white/10 px-3 py-1.5">
        <span className="flex min-w-0 items-center gap-2 text-xs font-medium text-stone-300">
          {title}
          {badge}
        </span>
        <CopyButton value={code} label={`Copy: ${title}`} className="text-stone-400 hover:bg-white/10 hover:text-white" />
      </div>
      <pre data-testid={testId} className="max-h-[28rem] overflow-auto px-4 py-3 font-mono text-xs leading-relaxed text-stone-100">
        {code}
      </pre>
    </div>
  );
}
