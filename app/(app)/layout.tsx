/**
 * The signed-in app: every page under this group needs a valid session (middleware.ts only checks
 * that a cookie is present). A session that is missing, expired or revoked goes to sign-in, and
 * comes back here afterwards.
 */
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { serverAuth } from "@/lib/server";
import { Providers } from "./providers";
import { AppShell } from "./shell";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const requestHeaders = await headers();
  const session = await serverAuth().api.getSession({ headers: requestHeaders });
  if (!session) {
    const path = requestHeaders.get("x-weft-path") ?? "/workflows";
    redirect(`/sign-in?next=${encodeURIComponent(path)}`);
  }
  return (
    <Providers>
      <AppShell user={{ name: session.user.name, email: session.user.email }}>{children}</AppShell>
    </Providers>
  );
}
