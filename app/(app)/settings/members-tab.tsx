"use client";

/**
 * Members and pending invitations of the active organization (better-auth's organization client).
 * Owners and admins invite, change roles and remove; everyone can leave.
 */
import { useQueryClient } from "@tanstack/react-query";
import { UserPlus } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/app/_ui/button";
import { CopyButton } from "@/app/_ui/copy";
import { ConfirmDialog } from "@/app/_ui/dialog";
import { inputClass } from "@/app/_ui/field";
import { table, TableHead } from "@/app/_ui/page";
import { ErrorState, TableSkeleton } from "@/app/_ui/states";
import { RelativeTime } from "@/app/_ui/time";
import { authClient } from "@/lib/auth-client";
import { ManagersOnly, RoleBadge, SectionHeader, quietDanger, useAccess } from "./access";
import { InviteDialog } from "./invite-dialog";
import { LeaveOrganization } from "./leave-organization";
import { invitationLink, useFullOrganization, type OrganizationInvitation, type OrganizationMember } from "./organization-data";

const iso = (value: Date | string) => new Date(value).toISOString();

export function MembersTab() {
  const { me, role, canManage } = useAccess();
  const organization = useFullOrganization(me.data?.organization.id);
  const [inviting, setInviting] = useState(false);

  if (me.isPending || organization.isPending) return <TableSkeleton rows={3} label="Loading members" />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (organization.isError) return <ErrorState error={organization.error} onRetry={() => void organization.refetch()} />;

  const members = organization.data.members;
  const pending = organization.data.invitations.filter((invitation) => invitation.status === "pending" && new Date(invitation.expiresAt).getTime() > Date.now());
  const owners = members.filter((member) => member.role === "owner").length;
  const self = members.find((member) => member.userId === me.data.user?.id);

  return (
    <div className="space-y-8">
      <section>
        <SectionHeader
          title="Members"
          description={`${members.length} ${members.length === 1 ? "person" : "people"} in ${organization.data.name}.`}
          action={
            <ManagersOnly allowed={canManage} action="invite members">
              <Button variant="primary" onClick={() => setInviting(true)}>
                <UserPlus className="size-4" aria-hidden /> Invite
              </Button>
            </ManagersOnly>
          }
        />
        <div className={`${table.wrap} relative`}>
          <table className={table.table}>
            <TableHead columns={["Name", "Role", { label: "Joined", className: "hidden sm:table-cell" }]} actions />
            <tbody className="divide-y divide-stone-100">
              {members.map((member) => (
                <MemberRow key={member.id} member={member} isSelf={member.id === self?.id} myRole={role} canManage={canManage} lastOwner={member.role === "owner" && owners <= 1} />
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section>
        <SectionHeader title="Pending invitations" description="No email is sent: share each invitation's link with the person it is for. Links expire after 7 days." />
        {pending.length === 0 ? (
          <p className="rounded-lg border border-dashed border-stone-300 bg-white px-4 py-6 text-center text-sm text-stone-500">No pending invitations.</p>
        ) : (
          <div className={`${table.wrap} relative`}>
            <table className={table.table}>
              <TableHead columns={["Email", "Role", "Expires"]} actions />
              <tbody className="divide-y divide-stone-100">
                {pending.map((invitation) => (
                  <InvitationRow key={invitation.id} invitation={invitation} canManage={canManage} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {self && <LeaveOrganization organizationId={organization.data.id} organizationName={organization.data.name} soleOwner={self.role === "owner" && owners <= 1} />}
      <InviteDialog open={inviting} onOpenChange={setInviting} canInviteOwners={role === "owner"} />
    </div>
  );
}

function MemberRow({ member, isSelf, myRole, canManage, lastOwner }: { member: OrganizationMember; isSelf: boolean; myRole: string | undefined; canManage: boolean; lastOwner: boolean }) {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  // better-auth: only an owner may touch an owner, or make someone one.
  const editable = canManage && !isSelf && (member.role !== "owner" || myRole === "owner");
  const roles = myRole === "owner" ? ["member", "admin", "owner"] : ["member", "admin"];
  const who = member.user.name || member.user.email;

  async function changeRole(next: string) {
    setBusy(true);
    const result = await authClient.organization.updateMemberRole({ memberId: member.id, role: next as "member" | "admin" | "owner" });
    setBusy(false);
    if (result.error) return toast.error(result.error.message ?? "Changing the role did not work.");
    await queryClient.invalidateQueries({ queryKey: ["organization"] });
    toast.success(`${who} is now ${next === "admin" ? "an" : "a"} ${next}`);
  }

  async function remove() {
    const result = await authClient.organization.removeMember({ memberIdOrEmail: member.id });
    if (result.error) {
      toast.error(result.error.message ?? "Removing the member did not work.");
      return;
    }
    await queryClient.invalidateQueries({ queryKey: ["organization"] });
    toast.success(`Removed ${who}`);
  }

  return (
    <tr className={table.tr} data-testid="member">
      <td className={table.td}>
        <div className="flex items-center gap-3">
          <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-full bg-stone-200 text-sm font-semibold text-stone-700">
            {who.slice(0, 1).toUpperCase()}
          </span>
          <div className="min-w-0 max-w-[11rem] sm:max-w-none">
            <p className="truncate font-medium text-stone-900">
              {member.user.name}
              {isSelf && <span className="ml-2 rounded bg-stone-100 px-1.5 py-0.5 text-[11px] font-medium text-stone-500">You</span>}
            </p>
            <p className="truncate text-xs text-stone-500">{member.user.email}</p>
          </div>
        </div>
      </td>
      <td className={table.td}>
        {editable ? (
          <select
            aria-label={`Role of ${who}`}
            value={member.role}
            disabled={busy || lastOwner}
            onChange={(event) => void changeRole(event.target.value)}
            className={`${inputClass} w-auto py-1 pr-8 text-xs capitalize`}
          >
            {roles.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        ) : (
          <RoleBadge role={member.role} />
        )}
      </td>
      <td className={`${table.td} hidden whitespace-nowrap text-stone-500 sm:table-cell`}>
        <RelativeTime iso={iso(member.createdAt)} />
      </td>
      <td className={`${table.td} text-right`}>
        {/* Members see the list read-only; the remove door appears only where it opens. */}
        {editable && !lastOwner && (
          <ConfirmDialog
            trigger={
              <button type="button" className={quietDanger()} aria-label={`Remove ${who}`}>
                Remove
              </button>
            }
            title={`Remove ${who}?`}
            confirmLabel="Remove member"
            onConfirm={remove}
          >
            {who} ({member.user.email}) loses access to this organization&apos;s workflows, runs, schedules and secrets at once. API keys belong to the organization and keep working.
          </ConfirmDialog>
        )}
      </td>
    </tr>
  );
}

function InvitationRow({ invitation, canManage }: { invitation: OrganizationInvitation; canManage: boolean }) {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  async function cancel() {
    setBusy(true);
    const result = await authClient.organization.cancelInvitation({ invitationId: invitation.id });
    setBusy(false);
    if (result.error) return toast.error(result.error.message ?? "Canceling the invitation did not work.");
    await queryClient.invalidateQueries({ queryKey: ["organization"] });
    toast.success(`Canceled the invitation of ${invitation.email}`);
  }
  return (
    <tr className={table.tr} data-testid="invitation">
      <td className={`${table.td} max-w-[11rem] truncate font-medium text-stone-900 sm:max-w-none`} title={invitation.email}>
        {invitation.email}
      </td>
      <td className={table.td}>
        <RoleBadge role={invitation.role} />
      </td>
      <td className={`${table.td} whitespace-nowrap text-stone-500`}>
        <RelativeTime iso={iso(invitation.expiresAt)} />
      </td>
      <td className={`${table.td} text-right`}>
        <div className="flex items-center justify-end gap-1">
          <CopyButton value={invitationLink(invitation.id)} label={`Copy the invitation link of ${invitation.email}`} />
          <ManagersOnly allowed={canManage} action="cancel invitations">
            <Button size="sm" variant="ghost" onClick={() => void cancel()} disabled={busy}>
              Cancel
            </Button>
          </ManagersOnly>
        </div>
      </td>
    </tr>
  );
}
