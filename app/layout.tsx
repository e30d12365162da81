import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "Weft — durable workflows for agents and teams",
  description: "Build workflows with your team and your LLM agents; every run is durable on PostgreSQL.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request, so Next can put this request's CSP nonce (middleware.ts) on
  // its scripts; a page prerendered at build time would carry none, and its scripts would not run.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-stone-50 text-stone-900 antialiased">{children}</body>
    </html>
  );
}
