"use client";

/**
 * Local state for a field that is typed into here and may also change from outside (an agent's
 * edit, an undo): typing stays smooth because the input never re-reads its props per keystroke,
 * and an outside change is taken in when focus is not inside the field, or as soon as it leaves.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

/** A value's identity for "did it change from outside": JSON text, so equal copies compare equal. */
function keyOf(value: unknown): string {
  return value === undefined ? "\u0000undefined" : (JSON.stringify(value) ?? "\u0000unserializable");
}

/**
 * `[draft, setDraft, scope, sent]`. The draft starts from `toDraft(external)`. When `external`
 * changes while focus is outside the element given `scope` as its ref, the draft follows it; when
 * it changed while focus was inside, the draft follows it when focus leaves, unless it is what
 * the draft last sent: call `sent(value)` with the value the parent will hold after a change
 * (undefined for a removed param). Focus is read from the document, not from React's focus
 * events, because a focused button that unmounts sends no blur.
 */
export function useDraft<V, D>(external: V, toDraft: (value: V) => D) {
  const key = keyOf(external);
  const [draft, setDraft] = useState(() => toDraft(external));
  const element = useRef<HTMLElement | null>(null);
  /** The key of the value the draft shows (taken in, or sent). */
  const inStep = useRef(key);
  const latest = useRef({ external, toDraft });
  useLayoutEffect(() => {
    latest.current = { external, toDraft };
  });

  const catchUp = useCallback(() => {
    const { external: value, toDraft: convert } = latest.current;
    const now = keyOf(value);
    if (now === inStep.current || element.current?.contains(document.activeElement)) return;
    inStep.current = now;
    setDraft(convert(value));
  }, []);

  useEffect(catchUp, [key, catchUp]);

  const scope = useCallback(
    (node: HTMLElement | null) => {
      if (!node) return;
      element.current = node;
      // After focusout, activeElement is the element getting focus (or body) once the event is done.
      const onFocusOut = () => setTimeout(catchUp, 0);
      node.addEventListener("focusout", onFocusOut);
      return () => {
        node.removeEventListener("focusout", onFocusOut);
        element.current = null;
      };
    },
    [catchUp],
  );
  const sent = useCallback((value: V) => {
    inStep.current = keyOf(value);
  }, []);
  return [draft, setDraft, scope, sent] as const;
}
