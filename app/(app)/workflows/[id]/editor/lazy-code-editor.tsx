"use client";

/**
 * The CodeEditor, loaded when a JSON or code field is first shown: CodeMirror is a large part of
 * the editor's JavaScript, and opening a workflow (drawing its canvas) should not wait for it.
 */
import dynamic from "next/dynamic";

export const LazyCodeEditor = dynamic(() => import("./code-editor").then((m) => m.CodeEditor), {
  ssr: false,
  loading: () => <div className="h-[72px] animate-pulse rounded-md border border-stone-200 bg-stone-50" aria-hidden />,
});
