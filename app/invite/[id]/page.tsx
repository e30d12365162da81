import { InviteView } from "./invite-view";

export const metadata = { title: "Invitation · Weft" };

/** `/invite/<id>`: public (middleware.ts lets it through), so a signed-out invitee can read it and sign in or up. */
export default async function InvitePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <InviteView id={id} />;
}
