"use client";

/**
 * Organization secrets (`/api/secrets`): names and dates, never values. Owners and admins add,
 * replace and delete them; members see the names.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus, ShieldCheck } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { api, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { Pager, useCursorStack } from "@/app/_ui/pager";
import { ConfirmDialog } from "@/app/_ui/dialog";
import { table, TableHead } from "@/app/_ui/page";
import { EmptyState, ErrorState, TableSkeleton } from "@/app/_ui/states";
import { RelativeTime } from "@/app/_ui/time";
import type { SecretInfo } from "@/lib/resources/secret";
import { ManagersOnly, SectionHeader, quietDanger, useAccess } from "./access";
import { SecretDialog } from "./secret-dialog";

const PAGE_SIZE = 50;

export function SecretsTab() {
  const { canManage } = useAccess();
  const pages = useCursorStack();
  const [dialog, setDialog] = useState<{ open: boolean; name: string | null }>({ open: false, name: null });
  const cursor = pages.cursor;
  const secrets = useQuery({
    queryKey: ["secrets", { cursor }],
    queryFn: async () => read(await api.api.secrets.$get({ query: { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) } })),
  });
  const add = (
    <ManagersOnly allowed={canManage} action="add secrets">
      <Button variant="primary" onClick={() => setDialog({ open: true, name: null })}>
        <Plus className="size-4" aria-hidden /> Add secret
      </Button>
    </ManagersOnly>
  );

  let body;
  if (secrets.isPending) body = <TableSkeleton rows={3} label="Loading secrets" />;
  else if (secrets.isError) body = <ErrorState error={secrets.error} onRetry={() => void secrets.refetch()} />;
  else if (secrets.data.data.length === 0 && !cursor)
    body = (
      <EmptyState icon={<ShieldCheck className="size-8" aria-hidden />} title="No secrets yet" action={add}>
        Secrets hold tokens and passwords your workflows use as {"{{secrets.NAME}}"}. They are encrypted, and their values never come back out.
      </EmptyState>
    );
  else
    body = (
      <div className={`${table.wrap} relative`}>
        <table className={table.table}>
          <TableHead columns={["Name", "Created", "Updated"]} actions />
          <tbody className="divide-y divide-stone-100">
            {secrets.data.data.map((secret) => (
              <SecretRow key={secret.name} secret={secret} canManage={canManage} onUpdate={() => setDialog({ open: true, name: secret.name })} />
            ))}
          </tbody>
        </table>
        <Pager stack={pages} nextCursor={secrets.data.nextCursor} />
      </div>
    );

  return (
    <section>
      <SectionHeader
        title="Secrets"
        description={canManage ? "Encrypted values your workflows read as {{secrets.NAME}}. Values go in and never come back out." : "Encrypted values your workflows read as {{secrets.NAME}}. Owners and admins set them; you see their names."}
        action={add}
      />
      {body}
      <SecretDialog open={dialog.open} onOpenChange={(open) => setDialog({ ...dialog, open })} name={dialog.name} existing={(secrets.data?.data ?? []).map((secret) => secret.name)} />
    </section>
  );
}

function SecretRow({ secret, canManage, onUpdate }: { secret: SecretInfo; canManage: boolean; onUpdate: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: async () => read(await api.api.secrets[":name"].$delete({ param: { name: secret.name } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["secrets"] });
      toast.success(`Deleted ${secret.name}`);
    },
    onError: (error) => toast.error(error.message),
  });
  return (
    <tr className={table.tr} data-testid="secret">
      <td className={table.td}>
        <code className="font-mono text-sm font-medium text-stone-900">{secret.name}</code>
      </td>
      <td className={`${table.td} whitespace-nowrap text-stone-500`}>
        <RelativeTime iso={secret.createdAt} />
      </td>
      <td className={`${table.td} whitespace-nowrap text-stone-500`}>
        <RelativeTime iso={secret.updatedAt} />
      </td>
      <td className={`${table.td} text-right`}>
        {canManage && (
          <div className="flex justify-end gap-1">
            <Button size="sm" variant="ghost" onClick={onUpdate} aria-label={`Update ${secret.name}`}>
              Update
            </Button>
            <ConfirmDialog
              trigger={
                <button type="button" className={quietDanger()} aria-label={`Delete ${secret.name}`}>
                  Delete
                </button>
              }
              title={`Delete ${secret.name}?`}
              confirmLabel="Delete secret"
              onConfirm={() => remove.mutateAsync()}
            >
              Workflows that read <code className="font-mono text-stone-800">{`{{secrets.${secret.name}}}`}</code> fail from their next run on. The value cannot be recovered.
            </ConfirmDialog>
          </div>
        )}
      </td>
    </tr>
  );
}
