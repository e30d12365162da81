"use client";

/** `/settings?tab=…`: the organization, its members, its API keys and its secrets, one tab each. */
import * as Tabs from "@radix-ui/react-tabs";
import { useState } from "react";
import { PageHeader } from "@/app/_ui/page";
import { GeneralTab } from "./general-tab";
import { KeysTab } from "./keys-tab";
import { MembersTab } from "./members-tab";
import { SecretsTab } from "./secrets-tab";

const TABS = [
  { value: "general", label: "General", Panel: GeneralTab },
  { value: "members", label: "Members", Panel: MembersTab },
  { value: "keys", label: "API keys", Panel: KeysTab },
  { value: "secrets", label: "Secrets", Panel: SecretsTab },
] as const;

const isTab = (value: string | undefined): value is string => TABS.some((t) => t.value === value);

export function SettingsView({ initialTab }: { initialTab?: string }) {
  const [tab, setTab] = useState(isTab(initialTab) ? initialTab : "general");
  // The tab is kept in the URL (shareable, kept on reload) without a server round trip per click.
  function select(value: string) {
    setTab(value);
    window.history.replaceState(null, "", `?tab=${value}`);
  }

  return (
    <>
      <PageHeader title="Settings" description="Your organization, who is in it, and the keys and secrets its workflows use." />
      <Tabs.Root value={tab} onValueChange={select}>
        <Tabs.List aria-label="Settings" className="-mx-4 mb-6 flex gap-1 overflow-x-auto border-b border-stone-200 px-4 sm:mx-0 sm:px-0">
          {TABS.map(({ value, label }) => (
            <Tabs.Trigger
              key={value}
              value={value}
              className="-mb-px shrink-0 border-b-2 border-transparent px-3 pb-2.5 pt-1 text-sm font-medium text-stone-500 hover:text-stone-900 focus-visible:outline-2 focus-visible:outline-indigo-600 data-[state=active]:border-indigo-600 data-[state=active]:text-indigo-700"
            >
              {label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        {TABS.map(({ value, Panel }) => (
          <Tabs.Content key={value} value={value} className="focus-visible:outline-none">
            <Panel />
          </Tabs.Content>
        ))}
      </Tabs.Root>
    </>
  );
}
