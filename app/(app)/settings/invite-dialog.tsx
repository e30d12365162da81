"use client";

/** Invite by email and role; no mail is sent, so the dialog ends with the link to share. */
import { useQueryClient } from "@tanstack/react-query";
import { Link2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_ui/button";
import { CopyButton } from "@/app/_ui/copy";
import { DialogContent, DialogRoot, FormActions } from "@/app/_ui/dialog";
import { Field, inputClass } from "@/app/_ui/field";
import { authClient } from "@/lib/auth-client";
import { invitationLink } from "./organization-data";

export function InviteDialog({ open, onOpenChange, canInviteOwners }: { open: boolean; onOpenChange: (open: boolean) => void; canInviteOwners: boolean }) {
  const [invited, setInvited] = useState<{ email: string; link: string } | null>(null);
  function change(next: boolean) {
    onOpenChange(next);
    if (!next) setInvited(null);
  }
  return (
    <DialogRoot open={open} onOpenChange={change}>
      <DialogContent
        title={invited ? "Share the invitation link" : "Invite someone"}
        description={
          invited
            ? `Weft sends no email. Send this link to ${invited.email}; they sign in or create an account with that email, then accept.`
            : "They join this organization with the role you choose once they accept."
        }
      >
        {invited ? (
          <div className="space-y-5">
            <div className="flex items-center gap-2 rounded-md border border-stone-200 bg-stone-50 px-3 py-2">
              <Link2 className="size-4 shrink-0 text-stone-400" aria-hidden />
              <code data-testid="invite-link" className="min-w-0 flex-1 break-all font-mono text-xs text-stone-900">
                {invited.link}
              </code>
              <CopyButton value={invited.link} label="Copy the invitation link" />
            </div>
            <p className="text-xs text-stone-500">The link works for 7 days and only for {invited.email}. You can copy it again from the pending invitations.</p>
            <div className="flex justify-end">
              <Button variant="primary" onClick={() => change(false)}>
                Done
              </Button>
            </div>
          </div>
        ) : (
          <InviteForm canInviteOwners={canInviteOwners} onCancel={() => change(false)} onInvited={setInvited} />
        )}
      </DialogContent>
    </DialogRoot>
  );
}

function InviteForm({ canInviteOwners, onCancel, onInvited }: { canInviteOwners: boolean; onCancel: () => void; onInvited: (invited: { email: string; link: string }) => void }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const role = String(form.get("role") ?? "member") as "member" | "admin" | "owner";
    setBusy(true);
    setError(null);
    const result = await authClient.organization.inviteMember({ email, role });
    setBusy(false);
    if (result.error || !result.data) return setError(result.error?.message ?? "The invitation was not created.");
    await queryClient.invalidateQueries({ queryKey: ["organization"] });
    onInvited({ email, link: invitationLink(result.data.id) });
  }

  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label="Email" htmlFor="invite-email" error={error}>
        <input id="invite-email" name="email" type="email" required autoComplete="off" className={inputClass} autoFocus />
      </Field>
      <Field label="Role" htmlFor="invite-role" help="Admins manage members, API keys and secrets; members build and run workflows.">
        <select id="invite-role" name="role" defaultValue="member" className={inputClass}>
          <option value="member">Member</option>
          <option value="admin">Admin</option>
          {canInviteOwners && <option value="owner">Owner</option>}
        </select>
      </Field>
      <FormActions onCancel={onCancel} disabled={busy}>
        {busy ? "Inviting…" : "Create invitation"}
      </FormActions>
    </form>
  );
}
