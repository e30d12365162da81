"use client";

import * as RadixTabs from "@radix-ui/react-tabs";
import type { ReactNode } from "react";
import { cn } from "./cn";

/**
 * Underlined tabs (Radix: arrow keys move between them). Controlled, so a page can keep the
 * selected tab in its URL. The list scrolls sideways when it does not fit a narrow screen.
 */
export function Tabs({
  value,
  onValueChange,
  tabs,
  children,
  label,
}: {
  value: string;
  onValueChange: (value: string) => void;
  tabs: { value: string; label: ReactNode; count?: number | null }[];
  children: ReactNode;
  label: string;
}) {
  return (
    <RadixTabs.Root value={value} onValueChange={onValueChange}>
      <RadixTabs.List aria-label={label} className="mb-5 flex gap-1 overflow-x-auto border-b border-stone-200">
        {tabs.map((tab) => (
          <RadixTabs.Trigger
            key={tab.value}
            value={tab.value}
            className={cn(
              "-mb-px inline-flex shrink-0 items-center gap-1.5 border-b-2 border-transparent px-3 py-2 text-sm font-medium text-stone-500",
              "hover:text-stone-800 focus-visible:rounded-t-md focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600",
              "data-[state=active]:border-indigo-600 data-[state=active]:text-indigo-700",
            )}
          >
            {tab.label}
            {typeof tab.count === "number" && (
              <span className="rounded-full bg-stone-100 px-1.5 text-xs font-medium text-stone-600 tabular-nums">{tab.count}</span>
            )}
          </RadixTabs.Trigger>
        ))}
      </RadixTabs.List>
      {children}
    </RadixTabs.Root>
  );
}

/** One tab's content; only the selected one is mounted, so its queries run only while it is shown. */
export function TabPanel({ value, children }: { value: string; children: ReactNode }) {
  return (
    <RadixTabs.Content value={value} className="focus-visible:outline-none">
      {children}
    </RadixTabs.Content>
  );
}
