import { cn } from "@/app/_ui/cn";

/** One colour per HTTP method, always with the method's name. */
const STYLES: Record<string, string> = {
  get: "bg-sky-50 text-sky-700 ring-sky-200",
  post: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  put: "bg-amber-50 text-amber-800 ring-amber-200",
  patch: "bg-violet-50 text-violet-700 ring-violet-200",
  delete: "bg-rose-50 text-rose-700 ring-rose-200",
};

/** `GET`, `POST`… as a small pill; `compact` is the sidebar's text-only form. */
export function MethodBadge({ method, compact = false }: { method: string; compact?: boolean }) {
  const style = STYLES[method] ?? "bg-stone-100 text-stone-700 ring-stone-200";
  if (compact) {
    return <span className={cn("w-11 shrink-0 font-mono text-[10px] font-semibold uppercase", style.split(" ")[1])}>{method === "delete" ? "DEL" : method.toUpperCase()}</span>;
  }
  return <span className={cn("inline-flex shrink-0 items-center rounded px-1.5 py-0.5 font-mono text-xs font-semibold uppercase ring-1 ring-inset", style)}>{method.toUpperCase()}</span>;
}
