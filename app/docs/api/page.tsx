/**
 * `/docs/api`: the API reference, rendered on the server from the same OpenAPI document
 * `GET /api/openapi.json` serves (built in process, not fetched), so every route the control
 * plane describes appears here. Public, and self-contained: no fonts, scripts or styles from
 * anywhere but this app.
 */
import { ArrowRight, FileJson } from "lucide-react";
import type { Metadata } from "next";
import { buttonClass } from "@/app/_ui/button";
import { openApiDocument } from "@/lib/api/openapi";
import { baseUrl, loadConfig } from "@/lib/config";
import { controlPlane } from "@/lib/server";
import { IntroSections } from "./intro-sections";
import type { ApiDocument } from "./openapi-document";
import { OperationSection } from "./operation-section";
import { readWalkthroughs } from "./quickstart";
import { buildReference, type Reference } from "./reference";
import { ReferenceMenu } from "./reference-menu";
import { ReferenceNav, type NavSection } from "./reference-nav";
import { Prose } from "./prose";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "API reference · Weft",
  description: "Every route of Weft's control plane: parameters, bodies, answers, errors and a curl example for each.",
};

export default async function ApiReferencePage() {
  // The generator's own document type is wider than what the page reads; ApiDocument names those parts.
  const document = openApiDocument(controlPlane()) as ApiDocument;
  const reference = buildReference(document);
  const walkthroughs = await readWalkthroughs();
  const sections = navSections(reference, walkthroughs.length > 0);
  return (
    <div className="min-h-screen bg-white">
      <header className="sticky top-0 z-30 border-b border-stone-200 bg-white">
        <div className="flex h-14 items-center gap-2 px-4 sm:gap-3 sm:px-6">
          <ReferenceMenu sections={sections} />
          <a href="/" className="flex shrink-0 items-center gap-2 rounded-md text-base font-semibold tracking-tight text-stone-900 focus-visible:outline-2 focus-visible:outline-indigo-600">
            <span aria-hidden className="grid size-7 place-items-center rounded-md bg-indigo-600 text-sm font-bold text-white">W</span>
            Weft
          </a>
          <span aria-hidden className="text-stone-300">/</span>
          <span className="truncate text-sm font-medium text-stone-700">API reference</span>
          <span className="hidden rounded bg-stone-100 px-1.5 py-0.5 font-mono text-[11px] text-stone-500 sm:inline">v{reference.version}</span>
          <div className="ml-auto flex shrink-0 items-center gap-2">
            <span className="hidden sm:block">
              <a href="/api/openapi.json" className={buttonClass("ghost", "sm")}>
                <FileJson className="size-3.5" aria-hidden /> openapi.json
              </a>
            </span>
            <a href="/workflows" aria-label="Open the app" className={buttonClass("primary", "sm")}>
              <span className="sm:hidden">App</span>
              <span className="hidden sm:inline">Open the app</span>
              <ArrowRight className="size-3.5" aria-hidden />
            </a>
          </div>
        </div>
      </header>

      <aside data-nav-scroll className="fixed bottom-0 left-0 top-14 hidden w-64 overflow-y-auto border-r border-stone-200 bg-stone-50/60 px-3 pt-5 md:block">
        <ReferenceNav sections={sections} shortcut />
      </aside>

      <main className="md:pl-64">
        <div className="mx-auto max-w-6xl px-4 pb-24 pt-8 sm:px-8 lg:pt-12">
          <IntroSections reference={reference} serverUrl={baseUrl(loadConfig())} walkthroughs={walkthroughs} />
          {reference.tags.map((tag) => (
            <section key={tag.name} id={tag.anchor} aria-labelledby={`${tag.anchor}-title`} className="scroll-mt-20 pt-14" data-tag={tag.name}>
              <div className="border-b border-stone-200 pb-4">
                <h2 id={`${tag.anchor}-title`} className="text-2xl font-semibold tracking-tight text-stone-900">
                  {tag.title}
                </h2>
                <Prose text={tag.description} className="mt-1 max-w-prose" />
              </div>
              {tag.operations.map((operation) => (
                <OperationSection key={operation.anchor} operation={operation} errorSchema={reference.errorSchema?.name} />
              ))}
            </section>
          ))}
        </div>
      </main>
    </div>
  );
}

function navSections(reference: Reference, quickstart: boolean): NavSection[] {
  const intro: NavSection = {
    title: "Getting started",
    anchor: "introduction",
    items: [
      { anchor: "introduction", label: "Introduction" },
      { anchor: "authentication", label: "Authentication" },
      { anchor: "errors", label: "Errors" },
      ...(quickstart ? [{ anchor: "quickstart", label: "Quickstart" }] : []),
    ],
  };
  return [
    intro,
    ...reference.tags.map((tag) => ({
      title: tag.title,
      anchor: tag.anchor,
      items: tag.operations.map((operation) => ({ anchor: operation.anchor, label: operation.summary, method: operation.method, path: operation.path })),
    })),
  ];
}
