"use client";

/**
 * The sign-in and sign-up form: better-auth's browser client sets the session cookie, then the
 * browser goes where the middleware wanted to send it (`?next=`), or home.
 */
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormError } from "@/app/_ui/field";
import { authClient } from "@/lib/auth-client";

/**
 * Where to go after signing in: `next` only when it resolves to this origin (so `//evil`, `/\evil`
 * and paths with tabs or newlines, which browsers strip, cannot leave the site); else the app.
 */
function safeNext(next: string | null): string {
  if (!next) return "/workflows";
  try {
    const url = new URL(next, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : "/workflows";
  } catch {
    return "/workflows";
  }
}

export function AuthForm({ mode }: { mode: "sign-in" | "sign-up" }) {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const signUp = mode === "sign-up";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    const result = signUp
      ? await authClient.signUp.email({ email, password, name: String(form.get("name") ?? "") })
      : await authClient.signIn.email({ email, password });
    setBusy(false);
    if (result.error) {
      setError(result.error.message ?? "That did not work; check your details and try again.");
      return;
    }
    router.push(safeNext(params.get("next")));
    router.refresh();
  }

  const field = "mt-1 block w-full rounded-md border border-stone-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none";
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-6">
      <h1 className="text-2xl font-semibold tracking-tight">{signUp ? "Create your Weft account" : "Sign in to Weft"}</h1>
      <p className="mt-1 text-sm text-stone-500">
        {signUp ? "You get a personal organization right away." : "Welcome back."}
      </p>
      <form onSubmit={submit} className="mt-6 space-y-4 rounded-lg border border-stone-200 bg-white p-6 shadow-sm">
        {signUp && (
          <label className="block text-sm font-medium">
            Name
            <input name="name" required autoComplete="name" className={field} />
          </label>
        )}
        <label className="block text-sm font-medium">
          Email
          <input name="email" type="email" required autoComplete="email" className={field} />
        </label>
        <label className="block text-sm font-medium">
          Password
          <input
            name="password"
            type="password"
            required
            minLength={8}
            autoComplete={signUp ? "new-password" : "current-password"}
            className={field}
          />
        </label>
        <FormError message={error} />
        <button
          type="submit"
          disabled={busy}
          className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
        >
          {busy ? "One moment…" : signUp ? "Create account" : "Sign in"}
        </button>
      </form>
      <p className="mt-4 text-center text-sm text-stone-500">
        {signUp ? "Already have an account? " : "New to Weft? "}
        <Link className="text-indigo-700 underline" href={`${signUp ? "/sign-in" : "/sign-up"}${params.get("next") ? `?next=${encodeURIComponent(params.get("next") ?? "")}` : ""}`}>
          {signUp ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </main>
  );
}
