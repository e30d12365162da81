"use client";

/**
 * The app's frame: a quiet left sidebar (a drawer under 768 px) with the pages, the active
 * organization with its switcher, and the user menu.
 */
import * as Dropdown from "@radix-ui/react-dropdown-menu";
import * as RadixDialog from "@radix-ui/react-dialog";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { BookOpen, Building2, CalendarClock, Check, ChevronsUpDown, LogOut, Menu, Play, Plus, Settings, Workflow, X } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { toast } from "sonner";
import { api, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { cn } from "@/app/_ui/cn";
import { DialogContent, DialogRoot, FormActions } from "@/app/_ui/dialog";
import { Field, inputClass } from "@/app/_ui/field";
import { authClient } from "@/lib/auth-client";

const NAV = [
  { href: "/workflows", label: "Workflows", icon: Workflow },
  { href: "/runs", label: "Runs", icon: Play },
  { href: "/schedules", label: "Schedules", icon: CalendarClock },
  { href: "/settings", label: "Settings", icon: Settings },
] as const;

/** `GET /api/me`: the user, the active organization and the role in it. */
export function useMe() {
  return useQuery({ queryKey: ["me"], queryFn: async () => read(await api.api.me.$get()) });
}

/** The organizations the user belongs to (the switcher and "Leave organization" share this key). */
export function useOrganizations() {
  return useQuery({
    queryKey: ["organizations"],
    queryFn: async () => {
      const result = await authClient.organization.list();
      if (result.error) throw new Error(result.error.message ?? "Could not list your organizations.");
      return result.data ?? [];
    },
  });
}

export function AppShell({ user, children }: { user: { name: string; email: string }; children: ReactNode }) {
  const [menuOpen, setMenuOpen] = useState(false);
  // A workflow's page holds the canvas editor: it gets the whole width and tighter margins.
  const wide = /^\/workflows\/[^/]+$/.test(usePathname() ?? "");
  return (
    <div className="min-h-screen bg-stone-50">
      <aside className="fixed inset-y-0 left-0 hidden w-60 flex-col border-r border-stone-200 bg-white md:flex">
        <Sidebar user={user} />
      </aside>
      <header className="sticky top-0 z-30 flex h-14 items-center justify-between border-b border-stone-200 bg-white px-4 md:hidden">
        <Logo />
        <RadixDialog.Root open={menuOpen} onOpenChange={setMenuOpen}>
          <RadixDialog.Trigger asChild>
            <Button variant="ghost" aria-label="Open the menu">
              <Menu className="size-5" aria-hidden />
            </Button>
          </RadixDialog.Trigger>
          <RadixDialog.Portal>
            <RadixDialog.Overlay className="fixed inset-0 z-40 bg-stone-900/40" />
            <RadixDialog.Content className="fixed inset-y-0 left-0 z-50 flex w-72 flex-col bg-white shadow-xl focus:outline-none">
              <RadixDialog.Title className="sr-only">Menu</RadixDialog.Title>
              <RadixDialog.Description className="sr-only">Pages, organization and account</RadixDialog.Description>
              <RadixDialog.Close className="absolute right-3 top-3 rounded-md p-1 text-stone-500 hover:bg-stone-100" aria-label="Close the menu">
                <X className="size-5" aria-hidden />
              </RadixDialog.Close>
              <Sidebar user={user} onNavigate={() => setMenuOpen(false)} />
            </RadixDialog.Content>
          </RadixDialog.Portal>
        </RadixDialog.Root>
      </header>
      <main className="md:pl-60">
        <div className={wide ? "mx-auto max-w-[1800px] px-3 py-4 sm:px-4 lg:px-6" : "mx-auto max-w-6xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8"}>{children}</div>
      </main>
    </div>
  );
}

function Logo() {
  return (
    <Link href="/workflows" className="flex items-center gap-2 rounded-md text-base font-semibold tracking-tight text-stone-900 focus-visible:outline-2 focus-visible:outline-indigo-600">
      <span aria-hidden className="grid size-7 place-items-center rounded-md bg-indigo-600 text-sm font-bold text-white">W</span>
      Weft
    </Link>
  );
}

function Sidebar({ user, onNavigate }: { user: { name: string; email: string }; onNavigate?: () => void }) {
  const pathname = usePathname();
  return (
    <>
      <div className="flex h-14 items-center px-4">
        <Logo />
      </div>
      <div className="px-3 pb-3">
        <OrgSwitcher />
      </div>
      <nav aria-label="Pages" className="flex-1 space-y-0.5 px-3">
        {NAV.map(({ href, label, icon: Icon }) => {
          const active = pathname === href || pathname.startsWith(`${href}/`);
          return (
            <Link
              key={href}
              href={href}
              onClick={onNavigate}
              aria-current={active ? "page" : undefined}
              className={cn(
                "flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-600",
                active ? "bg-indigo-50 text-indigo-700" : "text-stone-600 hover:bg-stone-100 hover:text-stone-900",
              )}
            >
              <Icon className="size-4" aria-hidden />
              {label}
            </Link>
          );
        })}
      </nav>
      <div className="px-3 pb-3">
        <Link
          href="/docs/api"
          onClick={onNavigate}
          className="flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium text-stone-600 hover:bg-stone-100 hover:text-stone-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <BookOpen className="size-4" aria-hidden />
          API reference
        </Link>
      </div>
      <div className="border-t border-stone-200 p-3">
        <UserMenu user={user} />
      </div>
    </>
  );
}

const menuItem =
  "flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm text-stone-700 outline-none data-[highlighted]:bg-stone-100 data-[highlighted]:text-stone-900";
const menuContent = "z-50 min-w-56 rounded-lg border border-stone-200 bg-white p-1 shadow-lg";

function OrgSwitcher() {
  const me = useMe();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [creating, setCreating] = useState(false);
  const organizations = useOrganizations();
  const active = me.data?.organization;

  async function switchTo(id: string, name: string) {
    if (id === active?.id) return;
    const result = await authClient.organization.setActive({ organizationId: id });
    if (result.error) {
      toast.error(result.error.message ?? "Could not switch organizations.");
      return;
    }
    queryClient.clear();
    router.push("/workflows");
    toast.success(`Switched to ${name}`);
  }

  return (
    <>
      <Dropdown.Root>
        <Dropdown.Trigger asChild>
          <button
            type="button"
            aria-label="Switch organization"
            className="flex w-full items-center gap-2 rounded-md border border-stone-200 bg-stone-50 px-2.5 py-2 text-left text-sm hover:bg-stone-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            <Building2 className="size-4 shrink-0 text-stone-500" aria-hidden />
            <span className="min-w-0 flex-1">
              <span className="block truncate font-medium text-stone-900" data-testid="active-organization">
                {active?.name ?? "…"}
              </span>
              {me.data && <span className="block text-xs capitalize text-stone-500">{me.data.role}</span>}
            </span>
            <ChevronsUpDown className="size-4 shrink-0 text-stone-400" aria-hidden />
          </button>
        </Dropdown.Trigger>
        <Dropdown.Portal>
          <Dropdown.Content align="start" sideOffset={4} className={menuContent}>
            <Dropdown.Label className="px-2 py-1 text-xs font-medium text-stone-500">Organizations</Dropdown.Label>
            {(organizations.data ?? []).map((org) => (
              <Dropdown.Item key={org.id} className={menuItem} onSelect={() => void switchTo(org.id, org.name)}>
                <span className="flex-1 truncate">{org.name}</span>
                {org.id === active?.id && <Check className="size-4 text-indigo-600" aria-label="active" />}
              </Dropdown.Item>
            ))}
            <Dropdown.Separator className="my-1 h-px bg-stone-200" />
            <Dropdown.Item className={menuItem} onSelect={() => setCreating(true)}>
              <Plus className="size-4" aria-hidden /> Create organization
            </Dropdown.Item>
          </Dropdown.Content>
        </Dropdown.Portal>
      </Dropdown.Root>
      <CreateOrganizationDialog open={creating} onOpenChange={setCreating} />
    </>
  );
}

function CreateOrganizationDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "").trim();
    if (!name) return setError("Give the organization a name.");
    setBusy(true);
    setError(null);
    const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "org"}-${Math.random().toString(36).slice(2, 8)}`;
    const created = await authClient.organization.create({ name, slug });
    if (created.error || !created.data) {
      setBusy(false);
      return setError(created.error?.message ?? "Could not create the organization.");
    }
    await authClient.organization.setActive({ organizationId: created.data.id });
    setBusy(false);
    onOpenChange(false);
    queryClient.clear();
    router.push("/workflows");
    toast.success(`Created ${name}; it is now your active organization`);
  }
  return (
    <DialogRoot open={open} onOpenChange={onOpenChange}>
      <DialogContent title="Create an organization" description="You become its owner. Workflows, runs, keys and secrets belong to one organization.">
        <form onSubmit={submit} className="space-y-4">
          <Field label="Name" htmlFor="org-name" error={error}>
            <input id="org-name" name="name" required maxLength={100} className={inputClass} autoFocus />
          </Field>
          <FormActions onCancel={() => onOpenChange(false)} disabled={busy}>
            {busy ? "Creating…" : "Create organization"}
          </FormActions>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}

function UserMenu({ user }: { user: { name: string; email: string } }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  async function signOut() {
    await authClient.signOut();
    queryClient.clear();
    router.push("/sign-in");
    router.refresh();
  }
  return (
    <Dropdown.Root>
      <Dropdown.Trigger asChild>
        <button
          type="button"
          aria-label="Account"
          className="flex w-full items-center gap-2.5 rounded-md px-2 py-1.5 text-left hover:bg-stone-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-full bg-stone-200 text-sm font-semibold text-stone-700">
            {(user.name || user.email).slice(0, 1).toUpperCase()}
          </span>
          <span className="min-w-0">
            <span className="block truncate text-sm font-medium text-stone-900">{user.name}</span>
            <span className="block truncate text-xs text-stone-500">{user.email}</span>
          </span>
        </button>
      </Dropdown.Trigger>
      <Dropdown.Portal>
        <Dropdown.Content side="top" align="start" sideOffset={6} className={menuContent}>
          <Dropdown.Item className={menuItem} onSelect={() => router.push("/settings")}>
            <Settings className="size-4" aria-hidden /> Settings
          </Dropdown.Item>
          <Dropdown.Item className={menuItem} onSelect={() => void signOut()}>
            <LogOut className="size-4" aria-hidden /> Sign out
          </Dropdown.Item>
        </Dropdown.Content>
      </Dropdown.Portal>
    </Dropdown.Root>
  );
}
