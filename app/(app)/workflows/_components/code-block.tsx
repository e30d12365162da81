import { CopyButton } from "@/app/_ui/copy";

/** A titled snippet to paste into a terminal, with a copy button; long lines scroll, never wrap mid-flag. */
export function CodeBlock({ title, code, testId }: { title: string; code: string; testId?: string }) {
  return (
    <div className="overflow-hidden rounded-md border border-stone-200 bg-stone-900">
      <div className="flex items-center justify-between border-b border-stone-700 px-3 py-1">
        <span className="text-xs font-medium text-stone-300">{title}</span>
        <CopyButton value={code} label={`Copy: ${title}`} className="text-stone-400 hover:bg-stone-700 hover:text-white" />
      </div>
      <pre data-testid={testId} className="overflow-x-auto px-3 py-2.5 font-mono text-xs leading-relaxed text-stone-100">
        {code}
      </pre>
    </div>
  );
}
