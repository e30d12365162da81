"use client";

/**
 * Organization API keys (Weft's `/api/keys`): owners and admins list, create and revoke them; a
 * member is told who can, instead of meeting the API's 403.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Lock, Plus } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { ApiFailure, api, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { Pager, useCursorStack } from "@/app/_ui/pager";
import { ConfirmDialog } from "@/app/_ui/dialog";
import { table, TableHead } from "@/app/_ui/page";
import { EmptyState, ErrorState, TableSkeleton } from "@/app/_ui/states";
import { RelativeTime } from "@/app/_ui/time";
import type { ApiKey } from "@/lib/resources/key";
import { SectionHeader, quietDanger, useAccess } from "./access";
import { CreateKeyDialog } from "./create-key-dialog";
import { useFullOrganization } from "./organization-data";

const PAGE_SIZE = 20;

export function KeysTab() {
  const { me, canManage } = useAccess();
  if (me.isPending) return <TableSkeleton rows={3} label="Loading API keys" />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!canManage) return <WhoManagesKeys organizationId={me.data.organization.id} />;
  return <KeyList organizationId={me.data.organization.id} />;
}

function KeyList({ organizationId }: { organizationId: string }) {
  const pages = useCursorStack();
  const [creating, setCreating] = useState(false);
  const cursor = pages.cursor;
  const keys = useQuery({
    queryKey: ["keys", { cursor }],
    queryFn: async () => read(await api.api.keys.$get({ query: { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) } })),
  });
  const create = (
    <Button variant="primary" onClick={() => setCreating(true)}>
      <Plus className="size-4" aria-hidden /> Create key
    </Button>
  );

  let body;
  if (keys.isPending) body = <TableSkeleton rows={3} label="Loading API keys" />;
  else if (keys.isError) body = keys.error instanceof ApiFailure && keys.error.status === 403 ? null : <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />;
  else if (keys.data.data.length === 0 && !cursor)
    body = (
      <EmptyState icon={<KeyRound className="size-8" aria-hidden />} title="No API keys yet" action={create}>
        An API key lets an agent, a script or CI call Weft&apos;s API as this organization, with a member&apos;s rights.
      </EmptyState>
    );
  else
    body = (
      <div className={`${table.wrap} relative`}>
        <table className={table.table}>
          <TableHead columns={["Name", "Key", "Created by", "Created", "Last used", "Expires"]} actions />
          <tbody className="divide-y divide-stone-100">
            {keys.data.data.map((key) => (
              <KeyRow key={key.id} apiKey={key} />
            ))}
          </tbody>
        </table>
        <Pager stack={pages} nextCursor={keys.data.nextCursor} />
      </div>
    );

  if (keys.error instanceof ApiFailure && keys.error.status === 403) return <WhoManagesKeys organizationId={organizationId} />;
  return (
    <section>
      <SectionHeader title="API keys" description="Keys belong to the organization, not to a person, and act with a member's rights. Each is shown once, when it is created." action={create} />
      {body}
      <CreateKeyDialog open={creating} onOpenChange={setCreating} />
    </section>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: async () => read(await api.api.keys[":id"].$delete({ param: { id: apiKey.id } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["keys"] });
      toast.success(`Revoked ${apiKey.name ?? "the key"}`);
    },
    onError: (error) => toast.error(error.message),
  });
  const name = apiKey.name ?? "Unnamed key";
  const expired = apiKey.expiresAt !== null && new Date(apiKey.expiresAt).getTime() < Date.now();
  return (
    <tr className={table.tr} data-testid="api-key">
      <td className={`${table.td} whitespace-nowrap font-medium text-stone-900`}>{name}</td>
      <td className={table.td}>
        <code className="whitespace-nowrap rounded bg-stone-100 px-1.5 py-0.5 font-mono text-xs text-stone-700">{apiKey.start ?? apiKey.prefix ?? ""}…</code>
      </td>
      <td className={`${table.td} whitespace-nowrap`}>{apiKey.createdBy?.name ?? <span className="text-stone-400">Unknown</span>}</td>
      <td className={`${table.td} whitespace-nowrap text-stone-500`}>
        <RelativeTime iso={apiKey.createdAt} />
      </td>
      <td className={`${table.td} whitespace-nowrap text-stone-500`}>{apiKey.lastUsedAt ? <RelativeTime iso={apiKey.lastUsedAt} /> : <span className="text-stone-400">Never</span>}</td>
      <td className={`${table.td} whitespace-nowrap`}>
        {apiKey.expiresAt ? (
          <span className={expired ? "font-medium text-red-700" : "text-stone-500"}>
            {expired && "Expired "}
            <RelativeTime iso={apiKey.expiresAt} />
          </span>
        ) : (
          <span className="text-stone-400">Never</span>
        )}
      </td>
      <td className={`${table.td} text-right`}>
        <ConfirmDialog
          trigger={
            <button type="button" className={quietDanger()} aria-label={`Revoke ${name}`}>
              Revoke
            </button>
          }
          title={`Revoke ${name}?`}
          confirmLabel="Revoke key"
          onConfirm={() => revoke.mutateAsync()}
        >
          Anything that calls Weft with <code className="font-mono text-stone-800">{apiKey.start ?? "this key"}…</code> gets 401 from now on. This cannot be undone.
        </ConfirmDialog>
      </td>
    </tr>
  );
}

/** What a member sees: who can manage keys, by name. */
function WhoManagesKeys({ organizationId }: { organizationId?: string }) {
  const organization = useFullOrganization(organizationId);
  const managers = (organization.data?.members ?? []).filter((member) => member.role === "owner" || member.role === "admin");
  return (
    <section>
      <SectionHeader title="API keys" description="Keys let agents, scripts and CI call Weft's API as this organization." />
      <div className="flex items-start gap-3 rounded-lg border border-stone-200 bg-white p-5 shadow-sm" data-testid="keys-read-only">
        <Lock className="mt-0.5 size-5 shrink-0 text-stone-400" aria-hidden />
        <div className="text-sm">
          <p className="font-medium text-stone-900">Only owners and admins manage API keys.</p>
          <p className="mt-1 text-stone-500">
            Keys act for the whole organization, so creating, listing and revoking them is kept to its owners and admins.
            {managers.length > 0 && " Ask one of them for a key:"}
          </p>
          {managers.length > 0 && (
            <ul className="mt-3 space-y-1.5">
              {managers.map((member) => (
                <li key={member.id} className="flex flex-wrap items-center gap-x-2 text-stone-700">
                  <span className="font-medium">{member.user.name}</span>
                  <span className="text-stone-500">{member.user.email}</span>
                  <span className="text-xs capitalize text-stone-400">{member.role}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
