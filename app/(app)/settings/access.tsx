"use client";

/**
 * Who may change settings: owners and admins, signed in (an API key acts as a member). The server
 * enforces it; the page only hides the doors a member would find locked, and says why.
 */
import * as Tooltip from "@radix-ui/react-tooltip";
import { cloneElement, type ReactElement } from "react";
import { useMe } from "../shell";

export type Role = "owner" | "admin" | "member";

export function useAccess() {
  const me = useMe();
  const role = me.data?.role;
  return {
    me,
    role,
    canManage: me.data ? me.data.authMode === "session" && (role === "owner" || role === "admin") : false,
  };
}

/**
 * The control as it is when allowed; otherwise disabled, with a tooltip (reachable by keyboard)
 * saying who can do it.
 */
export function ManagersOnly({ allowed, action, children }: { allowed: boolean; action: string; children: ReactElement<{ disabled?: boolean; tabIndex?: number }> }) {
  if (allowed) return children;
  return (
    <Tooltip.Root>
      <Tooltip.Trigger asChild>
        <span tabIndex={0} className="inline-flex rounded-md focus-visible:outline-2 focus-visible:outline-indigo-600">
          {cloneElement(children, { disabled: true, tabIndex: -1 })}
        </span>
      </Tooltip.Trigger>
      <Tooltip.Portal>
        <Tooltip.Content sideOffset={6} className="z-50 max-w-64 rounded-md bg-stone-900 px-2.5 py-1.5 text-xs text-white shadow-lg">
          Only owners and admins can {action}.
          <Tooltip.Arrow className="fill-stone-900" />
        </Tooltip.Content>
      </Tooltip.Portal>
    </Tooltip.Root>
  );
}

const ROLE_STYLES: Record<string, string> = {
  owner: "bg-indigo-50 text-indigo-700 ring-indigo-200",
  admin: "bg-sky-50 text-sky-700 ring-sky-200",
  member: "bg-stone-100 text-stone-600 ring-stone-200",
};

export function RoleBadge({ role }: { role: string }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium capitalize ring-1 ring-inset ${ROLE_STYLES[role] ?? ROLE_STYLES.member}`}>
      {role}
    </span>
  );
}

/** A tab's section title, its one-line explanation, and its action on the right. */
export function SectionHeader({ title, description, action }: { title: string; description?: string; action?: ReactElement }) {
  return (
    <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div>
        <h2 className="text-base font-semibold text-stone-900">{title}</h2>
        {description && <p className="mt-0.5 text-sm text-stone-500">{description}</p>}
      </div>
      {action && <div className="shrink-0">{action}</div>}
    </div>
  );
}

/** A destructive action that is not the page's main one: red text, no fill (the confirm dialog carries the red button). */
export function quietDanger(size: "sm" | "md" = "sm"): string {
  return `inline-flex shrink-0 items-center justify-center rounded-md font-medium whitespace-nowrap text-red-700 transition-colors hover:bg-red-50 hover:text-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:text-red-300 disabled:hover:bg-transparent ${
    size === "sm" ? "h-8 px-2.5 text-xs" : "h-9 border border-red-200 bg-white px-3.5 text-sm shadow-sm"
  }`;
}
