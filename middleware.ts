/**
 * Every page request passes here (docs/architecture.md, "The web app"), for two reasons:
 *
 * 1. A Content-Security-Policy with a fresh nonce per request. A script runs only if it carries
 *    the nonce or a script that does created it ('strict-dynamic'): a <script> injected into the
 *    HTML, or an inline event handler, does not.
 *    Next reads the nonce from the CSP on the request headers and puts it on its own scripts,
 *    which is why every page renders per request (app/layout.tsx calls `connection()`).
 * 2. Page protection: a product page requested without a session cookie is redirected to
 *    /sign-in?next=<where it was going>. This checks that a session cookie is present, not that
 *    it is valid: the app's layout (app/(app)/layout.tsx) validates the session, and reads the
 *    path it was asked for from the `x-weft-path` header set here, to send an expired session
 *    back after sign-in. Public pages (the landing page, sign-in, sign-up, invitations, docs)
 *    are not redirected.
 *
 * API routes answer JSON, authenticate themselves (lib/api) and get a static CSP from
 * next.config.ts, so the matcher skips them, Next's own files (/_next/…) and the icons.
 */
import { NextResponse, type NextRequest } from "next/server";

const SESSION_COOKIES = ["better-auth.session_token", "__Secure-better-auth.session_token"];
const PUBLIC_PAGES = /^\/(sign-in|sign-up|invite|docs)(\/|$)/;

/** The CSP of one page answer; `dev` adds 'unsafe-eval', which React needs in development only. */
export function pageContentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Inline styles stay allowed: React renders `style` attributes into the HTML, and React Flow
    // and the UI kit position things with them. Adding a nonce here would switch that off.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

function isProtected(pathname: string): boolean {
  return pathname !== "/" && !PUBLIC_PAGES.test(pathname);
}

export function middleware(request: NextRequest): NextResponse {
  const path = request.nextUrl.pathname + request.nextUrl.search;
  const nonce = newNonce();
  const policy = pageContentSecurityPolicy(nonce, process.env.NODE_ENV === "development");
  const signedIn = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (isProtected(request.nextUrl.pathname) && !signedIn) {
    const url = new URL("/sign-in", request.url);
    url.searchParams.set("next", path);
    const redirect = NextResponse.redirect(url);
    redirect.headers.set("content-security-policy", policy);
    return redirect;
  }
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  // For a server component that renders a <Script> of its own (`(await headers()).get("x-nonce")`).
  headers.set("x-nonce", nonce);
  headers.set("x-weft-path", path);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  matcher: ["/((?!api/|api$|health$|_next/|favicon\\.ico$|icon\\.svg$).*)"],
};
