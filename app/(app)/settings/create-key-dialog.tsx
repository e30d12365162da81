"use client";

/** Create an API key: a name and an optional lifetime, then the key itself, shown this once. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle } from "lucide-react";
import { useState, type FormEvent } from "react";
import { api, issueMessages, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { SecretValue } from "@/app/_ui/copy";
import { DialogContent, DialogRoot, FormActions } from "@/app/_ui/dialog";
import { Field, FormError, inputClass } from "@/app/_ui/field";
import type { CreatedApiKey } from "@/lib/resources/key";

export function CreateKeyDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  function change(next: boolean) {
    onOpenChange(next);
    // The key leaves memory with the dialog: it is never shown again.
    if (!next) setCreated(null);
  }
  return (
    <DialogRoot open={open} onOpenChange={change}>
      <DialogContent
        title={created ? "Copy your new API key" : "Create an API key"}
        description={created ? undefined : "Send it as x-api-key: weft_… (or Authorization: Bearer weft_…). It acts as a member of this organization."}
      >
        {created ? <ShownOnce apiKey={created} onDone={() => change(false)} /> : <CreateKeyForm onCancel={() => change(false)} onCreated={setCreated} />}
      </DialogContent>
    </DialogRoot>
  );
}

function ShownOnce({ apiKey, onDone }: { apiKey: CreatedApiKey; onDone: () => void }) {
  return (
    <div className="space-y-4">
      <div className="flex items-start gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
        <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
        <p>
          This is the only time <strong>{apiKey.name}</strong> is shown. Copy it into your secret store now; if you lose it, revoke it and create another.
        </p>
      </div>
      <SecretValue value={apiKey.key} label="Copy the API key" />
      <p className="text-xs text-stone-500">{apiKey.expiresAt ? `It expires on ${new Date(apiKey.expiresAt).toLocaleDateString("en-GB", { dateStyle: "long" })}.` : "It does not expire; revoke it when it is no longer needed."}</p>
      <div className="flex justify-end">
        <Button variant="primary" onClick={onDone}>
          I have copied it
        </Button>
      </div>
    </div>
  );
}

function CreateKeyForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (key: CreatedApiKey) => void }) {
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<{ name?: string; expires?: string; form?: string }>({});
  const create = useMutation({
    mutationFn: async (body: { name: string; expiresInDays?: number }) => read(await api.api.keys.$post({ json: body })),
    onSuccess: (key) => {
      void queryClient.invalidateQueries({ queryKey: ["keys"] });
      onCreated(key);
    },
    onError: (error) => {
      const on = issueMessages(error);
      if (on("name") || on("expiresInDays")) setErrors({ name: on("name"), expires: on("expiresInDays") });
      else setErrors({ form: error.message });
    },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    const days = String(form.get("expires") ?? "").trim();
    const next: typeof errors = {};
    if (!name) next.name = "Name the key after what will use it.";
    if (days && !/^[0-9]+$/.test(days)) next.expires = "A whole number of days, from 1 to 365.";
    else if (days && (Number(days) < 1 || Number(days) > 365)) next.expires = "Keys last from 1 to 365 days; leave it empty for a key that does not expire.";
    setErrors(next);
    if (Object.keys(next).length === 0) create.mutate({ name, ...(days ? { expiresInDays: Number(days) } : {}) });
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <Field label="Name" htmlFor="key-name" error={errors.name} help="What uses it, e.g. “nightly agent” or “GitHub Actions”. Up to 32 characters.">
        <input id="key-name" name="name" maxLength={32} autoComplete="off" className={inputClass} autoFocus />
      </Field>
      <Field label="Expires after (days)" htmlFor="key-expires" error={errors.expires} help="Optional, 1–365. Empty: the key works until it is revoked.">
        <input id="key-expires" name="expires" type="number" min={1} max={365} inputMode="numeric" placeholder="Never" className={`${inputClass} sm:max-w-40`} />
      </Field>
      <FormError message={errors.form} />
      <FormActions onCancel={onCancel} disabled={create.isPending}>
        {create.isPending ? "Creating…" : "Create key"}
      </FormActions>
    </form>
  );
}
