/**
 * Page protection only (docs/architecture.md): a page request without a session cookie is
 * redirected to /sign-in?next=<where it was going>. API routes authenticate themselves (lib/api),
 * so the matcher skips them. This checks that a session cookie is present, not that it is valid:
 * the app's layout (app/(app)/layout.tsx) validates the session, and reads the path it was asked
 * for from the `x-weft-path` header set here, to send an expired session back after sign-in.
 */
import { NextResponse, type NextRequest } from "next/server";

const SESSION_COOKIES = ["better-auth.session_token", "__Secure-better-auth.session_token"];

export function middleware(request: NextRequest): NextResponse {
  const path = request.nextUrl.pathname + request.nextUrl.search;
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) {
    const headers = new Headers(request.headers);
    headers.set("x-weft-path", path);
    return NextResponse.next({ request: { headers } });
  }
  const url = new URL("/sign-in", request.url);
  url.searchParams.set("next", path);
  return NextResponse.redirect(url);
}

export const config = {
  // The landing page (/) and the invitation page are public; the rest of the product is not.
  matcher: ["/((?!$|health|api|_next|sign-in|sign-up|invite|docs|favicon\\.ico|icon\\.svg).*)"],
};
