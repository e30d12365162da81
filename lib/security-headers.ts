/**
 * The security headers of every answer (docs/architecture.md, "The web app"): pages and API
 * answers may not be framed (clickjacking), sniffed as another type, or leak full URLs as
 * referrers. Pages get their CSP, with a per-request script nonce, from middleware.ts; API answers
 * are JSON and never a document, so theirs allows nothing at all. next.config.ts applies them to
 * what Next serves; the web process (web/index.ts) to the API answers it serves itself.
 */
export const COMMON_SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

/** The Content-Security-Policy of an API answer (`/api/…`, `/health`). */
export const API_CONTENT_SECURITY_POLICY = { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" };
