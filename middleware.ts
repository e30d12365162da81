/**
 * Page protection only (docs/architecture.md): a page request without a session cookie is redirected to
 * /sign-in. API routes authenticate themselves (lib/api), so the matcher skips them.
 * This checks that a session cookie is present, not that it is valid; pages that read data
 * validate the session on the server.
 */
import { NextResponse, type NextRequest } from "next/server";

const SESSION_COOKIES = ["better-auth.session_token", "__Secure-better-auth.session_token"];

export function middleware(request: NextRequest): NextResponse {
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const url = new URL("/sign-in", request.url);
  url.searchParams.set("next", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(url);
}

export const config = {
  // The landing page (/) is public until the app's pages exist; the rest of the product is not.
  matcher: ["/((?!$|health|api|_next|sign-in|sign-up|docs|favicon\\.ico).*)"],
};
