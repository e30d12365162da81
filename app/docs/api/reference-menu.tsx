"use client";

/**
 * Under 768 px the sidebar is a drawer behind a menu button. A link in it closes the drawer
 * first and then goes to its section, so the page's scroll is not locked when it moves.
 */
import * as RadixDialog from "@radix-ui/react-dialog";
import { Menu, X } from "lucide-react";
import { useRef, useState } from "react";
import { Button } from "@/app/_ui/button";
import { goTo, ReferenceNav, type NavSection } from "./reference-nav";

export function ReferenceMenu({ sections }: { sections: NavSection[] }) {
  const [open, setOpen] = useState(false);
  const pending = useRef<string | null>(null);
  return (
    <RadixDialog.Root open={open} onOpenChange={setOpen}>
      <RadixDialog.Trigger asChild>
        <Button variant="ghost" aria-label="Open the contents" className="-ml-2 px-2 md:hidden">
          <Menu className="size-5" aria-hidden />
        </Button>
      </RadixDialog.Trigger>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-stone-900/40" />
        <RadixDialog.Content
          className="fixed inset-y-0 left-0 z-50 flex w-80 max-w-[85vw] flex-col bg-white shadow-xl focus:outline-none"
          onCloseAutoFocus={(event) => {
            const anchor = pending.current;
            pending.current = null;
            if (!anchor) return;
            event.preventDefault();
            goTo(anchor);
          }}
        >
          <div className="flex h-14 shrink-0 items-center justify-between border-b border-stone-200 px-4">
            <RadixDialog.Title className="text-sm font-semibold text-stone-900">API reference</RadixDialog.Title>
            <RadixDialog.Description className="sr-only">Sections and routes of the API reference</RadixDialog.Description>
            <RadixDialog.Close className="rounded-md p-1 text-stone-500 hover:bg-stone-100 focus-visible:outline-2 focus-visible:outline-indigo-600" aria-label="Close the contents">
              <X className="size-5" aria-hidden />
            </RadixDialog.Close>
          </div>
          <div className="flex-1 overflow-y-auto px-3 pt-4" data-nav-scroll>
            <ReferenceNav
              sections={sections}
              onNavigate={(anchor) => {
                pending.current = anchor;
                setOpen(false);
              }}
            />
          </div>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
