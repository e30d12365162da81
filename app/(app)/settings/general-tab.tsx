"use client";

/** The organization's name (owners and admins rename it), its id, and your role in it. */
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/app/_ui/button";
import { IdBadge } from "@/app/_ui/copy";
import { Field, inputClass } from "@/app/_ui/field";
import { Card } from "@/app/_ui/page";
import { ErrorState, Skeleton } from "@/app/_ui/states";
import { authClient } from "@/lib/auth-client";
import { RoleBadge, useAccess } from "./access";

const ROLE_WORDS: Record<string, string> = {
  owner: "Owners can do everything, including managing members, API keys and secrets.",
  admin: "Admins manage members, API keys and secrets, and everything workflows need.",
  member: "Members build and run workflows and schedules; owners and admins manage members, keys and secrets.",
};

export function GeneralTab() {
  const { me, role, canManage } = useAccess();
  if (me.isPending) {
    return (
      <Card className="space-y-4 p-6">
        <Skeleton className="h-4 w-40" />
        <Skeleton className="h-9 w-full max-w-md" />
        <Skeleton className="h-4 w-64" />
      </Card>
    );
  }
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  const organization = me.data.organization;
  return (
    <div className="space-y-6">
      <Card className="p-6">
        {canManage ? (
          <RenameForm key={organization.name} organizationId={organization.id} name={organization.name} />
        ) : (
          <div>
            <p className="text-sm font-medium text-stone-800">Organization name</p>
            <p className="mt-1 text-base text-stone-900">{organization.name}</p>
            <p className="mt-1 text-xs text-stone-500">Only owners and admins can rename the organization.</p>
          </div>
        )}
      </Card>
      <Card>
        <dl className="divide-y divide-stone-200 text-sm">
          <div className="flex flex-col gap-1 px-6 py-4 sm:flex-row sm:items-center sm:justify-between">
            <dt className="font-medium text-stone-800">Organization id</dt>
            <dd>
              <IdBadge id={organization.id} />
            </dd>
          </div>
          <div className="flex flex-col gap-1 px-6 py-4 sm:flex-row sm:items-center sm:justify-between">
            <dt className="font-medium text-stone-800">Slug</dt>
            <dd className="font-mono text-xs text-stone-600">{organization.slug}</dd>
          </div>
          <div className="flex flex-col gap-2 px-6 py-4 sm:flex-row sm:items-start sm:justify-between">
            <dt className="font-medium text-stone-800">Your role</dt>
            <dd className="flex flex-col items-start gap-1 sm:items-end">
              {role && <RoleBadge role={role} />}
              <span className="max-w-sm text-xs text-stone-500 sm:text-right">{role ? ROLE_WORDS[role] : null}</span>
            </dd>
          </div>
        </dl>
      </Card>
    </div>
  );
}

function RenameForm({ organizationId, name }: { organizationId: string; name: string }) {
  const queryClient = useQueryClient();
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const trimmed = value.trim();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!trimmed) return setError("The organization needs a name.");
    setBusy(true);
    setError(null);
    const result = await authClient.organization.update({ organizationId, data: { name: trimmed } });
    setBusy(false);
    if (result.error) return setError(result.error.message ?? "Renaming did not work.");
    await Promise.all([queryClient.invalidateQueries({ queryKey: ["me"] }), queryClient.invalidateQueries({ queryKey: ["organizations"] })]);
    toast.success(`Renamed to ${trimmed}`);
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-3 sm:flex-row sm:items-end">
      <div className="flex-1 sm:max-w-md">
        <Field label="Organization name" htmlFor="org-rename" error={error} help="Shown in the organization switcher and on invitations.">
          <input id="org-rename" value={value} onChange={(event) => setValue(event.target.value)} maxLength={100} className={inputClass} />
        </Field>
      </div>
      <Button type="submit" variant="primary" disabled={busy || trimmed === name || !trimmed} className="self-start sm:mb-[22px] sm:self-auto">
        {busy ? "Saving…" : "Save"}
      </Button>
    </form>
  );
}
