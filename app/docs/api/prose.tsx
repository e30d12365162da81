import { Fragment, type ReactNode } from "react";
import { cn } from "@/app/_ui/cn";

/**
 * The document's descriptions as text: blank lines make paragraphs; `code`, **bold** and
 * [links](…) are rendered, everything else is shown as written (never as HTML).
 */
export function Prose({ text, className }: { text?: string; className?: string }) {
  if (!text) return null;
  const paragraphs = text.split(/\n\s*\n/).map((paragraph) => paragraph.trim()).filter(Boolean);
  return (
    <div className={cn("space-y-2 text-sm leading-6 text-stone-600", className)}>
      {paragraphs.map((paragraph, i) => (
        <p key={i}>{inline(paragraph)}</p>
      ))}
    </div>
  );
}

/** One line of text with its inline marks, for places where a paragraph would be too much. */
export function InlineText({ text }: { text: string }) {
  return <>{inline(text)}</>;
}

const MARKS = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKS)) {
    const at = match.index ?? 0;
    if (at > last) out.push(lines(text.slice(last, at), out.length));
    const [, code, bold, label, href] = match;
    // Short code stays on one line; long code may wrap rather than overflow a phone's width.
    if (code !== undefined) out.push(<code key={out.length} className={`rounded bg-stone-100 px-1 py-0.5 font-mono text-[0.85em] text-stone-800 ${code.length <= 28 ? "whitespace-nowrap" : "break-words"}`}>{code}</code>);
    else if (bold !== undefined) out.push(<strong key={out.length} className="font-semibold text-stone-800">{bold}</strong>);
    else if (!/^(https?:\/\/|\/|#)/.test(href)) out.push(lines(match[0], out.length));
    else out.push(<a key={out.length} href={href} className="text-indigo-700 underline underline-offset-2 hover:text-indigo-600">{label}</a>);
    last = at + match[0].length;
  }
  if (last < text.length) out.push(lines(text.slice(last), out.length));
  return out;
}

/** Single line breaks inside a paragraph are kept. */
function lines(text: string, key: number): ReactNode {
  const parts = text.split("\n");
  return (
    <Fragment key={key}>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <br />}
          {part}
        </Fragment>
      ))}
    </Fragment>
  );
}
