"use client";

/**
 * What a person sees once after creating an endpoint or rotating its secret: the URL, the secret
 * (shown this one time), and two ready-to-paste calls, one with the secret as a bearer token and
 * one signed with HMAC-SHA256 the way README.md's webhook section does it.
 */
import { AlertTriangle } from "lucide-react";
import { Button } from "@/app/_ui/button";
import { CopyButton, SecretValue } from "@/app/_ui/copy";
import { DialogClose, DialogContent, DialogRoot } from "@/app/_ui/dialog";
import { formatExact } from "@/app/_ui/time";
import { CodeBlock } from "@/app/_ui/code-block";

export interface ShownSecret {
  kind: "created" | "rotated";
  url: string;
  secret: string;
  methods: string[];
  /** After a rotation: until when the previous secret still works. */
  previousValidUntil?: string;
}

/** The method the examples use: POST when the endpoint takes it, else its first one. */
function exampleMethod(methods: string[]): string {
  return methods.includes("POST") ? "POST" : (methods[0] ?? "POST");
}

/** Shell single quotes around a value (secrets are URL-safe, but a pasted URL could hold anything). */
function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function bearerExample(shown: Pick<ShownSecret, "url" | "secret" | "methods">): string {
  const method = exampleMethod(shown.methods);
  const lines = [`curl -X ${method} ${quote(shown.url)} \\`, `  -H ${quote(`Authorization: Bearer ${shown.secret}`)}`];
  if (method !== "GET" && method !== "DELETE") {
    lines[lines.length - 1] += " \\";
    lines.push(`  -H 'content-type: application/json' -d '{"name":"Ada"}'`);
  }
  return lines.join("\n");
}

export function signedExample(shown: Pick<ShownSecret, "url" | "secret" | "methods">): string {
  const method = exampleMethod(shown.methods);
  const withBody = method !== "GET" && method !== "DELETE";
  return [
    `SECRET=${quote(shown.secret)}`,
    `BODY='${withBody ? '{"name":"Ada"}' : ""}'; T=$(date +%s)`,
    `# hex HMAC-SHA256 of "<unix time>.<raw body>", keyed with the secret`,
    `SIG=$(printf '%s.%s' "$T" "$BODY" \\`,
    `  | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')`,
    `curl -X ${method} ${quote(shown.url)} \\`,
    `  -H "X-Weft-Signature: t=$T,v1=$SIG"${withBody ? ` \\\n  -H 'content-type: application/json' -d "$BODY"` : ""}`,
  ].join("\n");
}

export function SecretDialog({ shown, onClose }: { shown: ShownSecret | null; onClose: () => void }) {
  return (
    <DialogRoot open={shown !== null} onOpenChange={(open) => open || onClose()}>
      {shown && (
        <DialogContent
          wide
          title={shown.kind === "created" ? "Webhook endpoint created" : "Secret rotated"}
          description={
            shown.kind === "created"
              ? "Each call to this URL with the secret starts a run; the request becomes the run's input."
              : "Senders should switch to the new secret."
          }
        >
          <div className="space-y-4">
            <div role="note" className="flex gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
              <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
              <p>
                Copy the secret now: it is shown only this once. If it is lost, rotate it to get a new one.
                {shown.kind === "rotated" && shown.previousValidUntil && (
                  <> The previous secret keeps working for 24 hours, until {formatExact(shown.previousValidUntil)}, then stops.</>
                )}
              </p>
            </div>
            <div>
              <p className="mb-1.5 text-sm font-medium text-stone-800">URL</p>
              <div className="flex items-center gap-2 rounded-md border border-stone-200 bg-stone-50 px-3 py-2">
                <code data-testid="webhook-url" className="min-w-0 flex-1 break-all font-mono text-xs text-stone-900">
                  {shown.url}
                </code>
                <CopyButton value={shown.url} label="Copy the URL" />
              </div>
            </div>
            <div>
              <p className="mb-1.5 text-sm font-medium text-stone-800">Secret</p>
              <SecretValue value={shown.secret} label="Copy the secret" />
            </div>
            <div className="space-y-3">
              <p className="text-sm font-medium text-stone-800">Try it</p>
              <CodeBlock title="curl, secret as a bearer token" code={bearerExample(shown)} testId="webhook-curl" />
              <CodeBlock title="bash + openssl, signed request (X-Weft-Signature)" code={signedExample(shown)} testId="webhook-signed" />
              <p className="text-xs text-stone-500">
                Add <code className="font-mono">?wait=10</code> to the URL to get the finished run back instead of 202 with its id.
                Signatures are accepted for 5 minutes after <code className="font-mono">t</code>.
              </p>
            </div>
            <div className="flex justify-end">
              <DialogClose asChild>
                <Button variant="primary">I have copied the secret</Button>
              </DialogClose>
            </div>
          </div>
        </DialogContent>
      )}
    </DialogRoot>
  );
}
