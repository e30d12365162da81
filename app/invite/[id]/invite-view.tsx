"use client";

/**
 * An invitation to an organization. Signed out: sign in or create an account (with the invited
 * email), then come back here. Signed in: see the organization and role, and accept, which makes
 * it the active organization.
 */
import { Building2, Loader2, MailWarning } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { Button, buttonClass } from "@/app/_ui/button";
import { authClient } from "@/lib/auth-client";

interface Invitation {
  organizationId: string;
  organizationName: string;
  role: string;
  email: string;
  inviterEmail: string;
  expiresAt: string | Date;
}

type State =
  | { kind: "loading" }
  | { kind: "signed-out" }
  | { kind: "invalid"; reason: "gone" | "not-yours" | "other"; message: string; email: string }
  | { kind: "ready"; invitation: Invitation; email: string };

export function InviteView({ id }: { id: string }) {
  const router = useRouter();
  const [state, setState] = useState<State>({ kind: "loading" });
  const [busy, setBusy] = useState<"accept" | "decline" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const next = `?next=${encodeURIComponent(`/invite/${id}`)}`;

  const load = useCallback(async () => {
    const session = await authClient.getSession();
    const email = session.data?.user.email;
    if (!email) return setState({ kind: "signed-out" });
    const invitation = await authClient.organization.getInvitation({ query: { id } });
    if (invitation.data) return setState({ kind: "ready", invitation: invitation.data, email });
    const status = invitation.error?.status;
    const message = invitation.error?.message ?? "The invitation could not be read.";
    setState({ kind: "invalid", reason: status === 403 ? "not-yours" : status === 400 || status === 404 ? "gone" : "other", message, email });
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  async function accept(invitation: Invitation) {
    setBusy("accept");
    setError(null);
    const accepted = await authClient.organization.acceptInvitation({ invitationId: id });
    if (accepted.error) {
      setBusy(null);
      return setError(accepted.error.message ?? "Accepting did not work.");
    }
    await authClient.organization.setActive({ organizationId: invitation.organizationId });
    router.push("/workflows");
    router.refresh();
  }

  async function decline() {
    setBusy("decline");
    setError(null);
    const declined = await authClient.organization.rejectInvitation({ invitationId: id });
    setBusy(null);
    if (declined.error) return setError(declined.error.message ?? "Declining did not work.");
    router.push("/workflows");
  }

  async function signOut() {
    await authClient.signOut();
    setState({ kind: "signed-out" });
  }

  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center px-6 py-10">
      <Link href="/" className="mb-8 flex items-center gap-2 self-start rounded-md text-base font-semibold tracking-tight text-stone-900 focus-visible:outline-2 focus-visible:outline-indigo-600">
        <span aria-hidden className="grid size-7 place-items-center rounded-md bg-indigo-600 text-sm font-bold text-white">
          W
        </span>
        Weft
      </Link>
      {state.kind === "loading" && (
        <Panel>
          <p role="status" className="flex items-center gap-2 text-sm text-stone-500">
            <Loader2 className="size-4 animate-spin" aria-hidden /> Reading the invitation…
          </p>
        </Panel>
      )}

      {state.kind === "signed-out" && (
        <>
          <h1 className="text-2xl font-semibold tracking-tight text-stone-900">You have been invited to Weft</h1>
          <p className="mt-2 text-sm text-stone-500">Someone invited you to join their organization, where teams and their agents build and run workflows together.</p>
          <Panel>
            <p className="text-sm text-stone-700">Sign in, or create an account, with the email address the invitation was sent to. You come back here to accept it.</p>
            <div className="mt-5 flex flex-col gap-2 sm:flex-row">
              <Link href={`/sign-up${next}`} className={`${buttonClass("primary")} flex-1`}>
                Create an account
              </Link>
              <Link href={`/sign-in${next}`} className={`${buttonClass("secondary")} flex-1`}>
                Sign in
              </Link>
            </div>
          </Panel>
        </>
      )}

      {state.kind === "ready" && (
        <>
          <h1 className="text-2xl font-semibold tracking-tight text-stone-900">Join {state.invitation.organizationName}</h1>
          <p className="mt-2 text-sm text-stone-500">
            {state.invitation.inviterEmail} invited you ({state.email}) to this organization.
          </p>
          <Panel>
            <div className="flex items-center gap-3">
              <span className="grid size-10 shrink-0 place-items-center rounded-lg bg-indigo-50 text-indigo-600">
                <Building2 className="size-5" aria-hidden />
              </span>
              <div className="min-w-0">
                <p className="truncate font-medium text-stone-900" data-testid="invite-organization">
                  {state.invitation.organizationName}
                </p>
                <p className="text-sm text-stone-500">
                  You join as <span className="font-medium capitalize text-stone-700">{state.invitation.role}</span>
                </p>
              </div>
            </div>
            <p className="mt-4 text-xs text-stone-500">
              The invitation expires on {new Date(state.invitation.expiresAt).toLocaleDateString("en-GB", { dateStyle: "long" })}. Accepting makes {state.invitation.organizationName} your active
              organization; your other organizations stay in the switcher.
            </p>
            {error && (
              <p role="alert" className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                {error}
              </p>
            )}
            <div className="mt-5 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
              <Button onClick={() => void decline()} disabled={busy !== null}>
                {busy === "decline" ? "Declining…" : "Decline"}
              </Button>
              <Button variant="primary" onClick={() => void accept(state.invitation)} disabled={busy !== null}>
                {busy === "accept" ? "Joining…" : `Accept and join`}
              </Button>
            </div>
          </Panel>
        </>
      )}

      {state.kind === "invalid" && (
        <>
          <h1 className="text-2xl font-semibold tracking-tight text-stone-900">
            {state.reason === "not-yours" ? "This invitation is for someone else" : "This invitation cannot be used"}
          </h1>
          <Panel>
            <div className="flex items-start gap-3">
              <MailWarning className="mt-0.5 size-5 shrink-0 text-amber-600" aria-hidden />
              <div className="text-sm text-stone-700" role="alert">
                {state.reason === "not-yours" ? (
                  <p>
                    You are signed in as <strong>{state.email}</strong>, and the invitation was sent to another address. Sign out, then sign in or create an account with the invited email.
                  </p>
                ) : state.reason === "gone" ? (
                  <p>It does not exist, has expired, was canceled, or has already been accepted. Ask the person who invited you for a new link.</p>
                ) : (
                  <p>{state.message}</p>
                )}
              </div>
            </div>
            <div className="mt-5 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
              {state.reason === "not-yours" && <Button onClick={() => void signOut()}>Sign out</Button>}
              <Link href="/workflows" className={buttonClass("primary")}>
                Go to your workflows
              </Link>
            </div>
          </Panel>
        </>
      )}
    </main>
  );
}

function Panel({ children }: { children: ReactNode }) {
  return <div className="mt-6 rounded-lg border border-stone-200 bg-white p-6 shadow-sm">{children}</div>;
}
