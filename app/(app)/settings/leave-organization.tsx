"use client";

/** Leaving the active organization: then the next organization you belong to becomes active. */
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { ConfirmDialog } from "@/app/_ui/dialog";
import { Card } from "@/app/_ui/page";
import { authClient } from "@/lib/auth-client";
import { useOrganizations } from "../shell";
import { quietDanger } from "./access";

export function LeaveOrganization({ organizationId, organizationName, soleOwner }: { organizationId: string; organizationName: string; soleOwner: boolean }) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const organizations = useOrganizations();
  const elsewhere = (organizations.data ?? []).filter((organization) => organization.id !== organizationId);
  const blocked = soleOwner
    ? "You are its only owner: make another member an owner first."
    : organizations.isSuccess && elsewhere.length === 0
      ? "It is your only organization: create or join another one first."
      : null;

  async function leave() {
    const left = await authClient.organization.leave({ organizationId });
    if (left.error) {
      toast.error(left.error.message ?? "Leaving did not work.");
      return;
    }
    const next = elsewhere[0];
    if (next) await authClient.organization.setActive({ organizationId: next.id });
    queryClient.clear();
    router.push("/workflows");
    toast.success(next ? `You left ${organizationName}; ${next.name} is now active` : `You left ${organizationName}`);
  }

  return (
    <Card className="flex flex-col gap-3 border-red-200 p-5 sm:flex-row sm:items-center sm:justify-between">
      <div>
        <h2 className="text-sm font-semibold text-stone-900">Leave {organizationName}</h2>
        <p className="mt-0.5 text-sm text-stone-500">{blocked ?? "You lose access to its workflows, runs and settings until someone invites you again."}</p>
      </div>
      <ConfirmDialog
        trigger={
          <button type="button" className={quietDanger("md")} disabled={Boolean(blocked) || organizations.isPending}>
            Leave organization
          </button>
        }
        title={`Leave ${organizationName}?`}
        confirmLabel="Leave organization"
        onConfirm={leave}
      >
        You lose access to {organizationName} at once. {elsewhere[0] ? `${elsewhere[0].name} becomes your active organization.` : ""}
      </ConfirmDialog>
    </Card>
  );
}
