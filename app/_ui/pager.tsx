"use client";

/**
 * Previous/Next paging over the API's cursors. The API only pages forwards, so the cursors of the
 * pages before this one are kept on a stack: Previous pops, Next pushes.
 */
import { ChevronLeft, ChevronRight } from "lucide-react";
import { useState } from "react";
import { Button } from "./button";

/** The cursor of the page shown (undefined: the first page) and the moves between pages. */
export function useCursorStack() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    hasPrevious: cursors.length > 0,
    previous: () => setCursors(cursors.slice(0, -1)),
    next: (cursor: string) => setCursors([...cursors, cursor]),
  };
}

/** The Previous/Next bar under a list; nothing when there is a single page. */
export function Pager({ stack, nextCursor }: { stack: ReturnType<typeof useCursorStack>; nextCursor: string | null | undefined }) {
  if (!stack.hasPrevious && !nextCursor) return null;
  return (
    <nav aria-label="Pages" className="flex items-center justify-end gap-2 border-t border-stone-200 px-4 py-2.5">
      <Button size="sm" disabled={!stack.hasPrevious} onClick={stack.previous}>
        <ChevronLeft className="size-3.5" aria-hidden /> Previous
      </Button>
      <Button size="sm" disabled={!nextCursor} onClick={() => nextCursor && stack.next(nextCursor)}>
        Next <ChevronRight className="size-3.5" aria-hidden />
      </Button>
    </nav>
  );
}
