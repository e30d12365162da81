"use client";

/**
 * Add a secret, or give an existing one a new value (`POST /api/secrets` creates or replaces by
 * name). The value is typed into a password field and never shown.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { api, issueMessages, read } from "@/app/_ui/api";
import { cn } from "@/app/_ui/cn";
import { DialogContent, DialogRoot, FormActions } from "@/app/_ui/dialog";
import { Field, FormError, inputClass } from "@/app/_ui/field";

// The server's rule (lib/secrets.ts), repeated here only to explain it while typing.
const NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;
const NAME_RULE = "An uppercase letter, then up to 63 uppercase letters, digits or underscores, e.g. SLACK_TOKEN.";

/** `name` null: a new secret; otherwise a new value for that one. */
export function SecretDialog({ open, onOpenChange, name, existing }: { open: boolean; onOpenChange: (open: boolean) => void; name: string | null; existing: string[] }) {
  return (
    <DialogRoot open={open} onOpenChange={onOpenChange}>
      <DialogContent
        title={name ? `Update ${name}` : "Add a secret"}
        description={name ? "The new value replaces the old one for every run that starts from now on." : "Workflows read it as {{secrets.NAME}}. The value is encrypted and never shown again."}
      >
        {open && <SecretForm key={name ?? "new"} name={name} existing={existing} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </DialogRoot>
  );
}

function SecretForm({ name: fixedName, existing, onDone }: { name: string | null; existing: string[]; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(fixedName ?? "");
  const [errors, setErrors] = useState<{ name?: string; value?: string; form?: string }>({});
  const replacing = !fixedName && existing.includes(name);

  const save = useMutation({
    mutationFn: async (body: { name: string; value: string }) => read(await api.api.secrets.$post({ json: body })),
    onSuccess: (secret) => {
      void queryClient.invalidateQueries({ queryKey: ["secrets"] });
      toast.success(fixedName || replacing ? `Updated ${secret.name}` : `Added ${secret.name}`);
      onDone();
    },
    onError: (error) => {
      const on = issueMessages(error);
      if (on("name") || on("value")) setErrors({ name: on("name"), value: on("value") });
      else setErrors({ form: error.message });
    },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get("value") ?? "");
    const next: typeof errors = {};
    if (!NAME_PATTERN.test(name)) next.name = `Not a secret name. ${NAME_RULE}`;
    if (!value) next.value = "Give the secret a value.";
    setErrors(next);
    if (Object.keys(next).length === 0) save.mutate({ name, value });
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <Field label="Name" htmlFor="secret-name" error={errors.name} help={replacing ? `${name} exists: saving replaces its value.` : NAME_RULE}>
        <input
          id="secret-name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          readOnly={Boolean(fixedName)}
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          className={cn(inputClass, "font-mono", fixedName && "bg-stone-50 text-stone-600")}
          autoFocus={!fixedName}
        />
      </Field>
      <Field label={fixedName ? "New value" : "Value"} htmlFor="secret-value" error={errors.value} help="Up to 64 KiB. Stored encrypted; nobody can read it back, including you.">
        <input id="secret-value" name="value" type="password" autoComplete="new-password" className={cn(inputClass, "font-mono")} autoFocus={Boolean(fixedName)} />
      </Field>
      <FormError message={errors.form} />
      <FormActions onCancel={onDone} disabled={save.isPending}>
        {save.isPending ? "Saving…" : fixedName || replacing ? "Save new value" : "Add secret"}
      </FormActions>
    </form>
  );
}
