"use client";

/**
 * A block's retry policy (lib/engine/model.ts, RetryPolicySchema): attempts, and an optional
 * exponential backoff. A policy is sent only once it is valid; "Remove" sends null.
 */
import { useId } from "react";
import { Button } from "@/app/_ui/button";
import { inputClass } from "@/app/_ui/field";
import { RetryPolicySchema, type RetryPolicy } from "@/lib/engine/model";
import { Switch } from "@/app/_ui/switch";
import { useDraft } from "./use-draft";

const DEFAULT_POLICY: RetryPolicy = { maxAttempts: 3 };
const DEFAULT_BACKOFF = { initialMs: 1_000, factor: 2, maxMs: 60_000 };

type Fields = { maxAttempts: string; initialMs: string; factor: string; maxMs: string };
interface Draft {
  /** The block has a policy (the panel shows it before the parent's copy catches up). */
  present: boolean;
  fields: Fields;
  backoff: boolean;
  /** Field → message, from the schema, for what cannot be sent. */
  errors: Partial<Record<keyof Fields, string>>;
}

function draftOf(retry: RetryPolicy | undefined): Draft {
  const backoff = retry?.backoff;
  return {
    present: retry !== undefined,
    fields: {
      maxAttempts: retry ? String(retry.maxAttempts) : "",
      initialMs: String(backoff?.initialMs ?? DEFAULT_BACKOFF.initialMs),
      factor: String(backoff?.factor ?? DEFAULT_BACKOFF.factor),
      maxMs: String(backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs),
    },
    backoff: backoff !== undefined,
    errors: {},
  };
}

/** The policy a draft describes, or each field's complaint. */
export function parseRetry(fields: Fields, backoff: boolean): { ok: true; policy: RetryPolicy } | { ok: false; errors: Draft["errors"] } {
  const number = (text: string) => (text.trim() === "" ? Number.NaN : Number(text));
  const candidate = {
    maxAttempts: number(fields.maxAttempts),
    ...(backoff ? { backoff: { initialMs: number(fields.initialMs), factor: number(fields.factor), maxMs: number(fields.maxMs) } } : {}),
  };
  const result = RetryPolicySchema.safeParse(candidate);
  if (result.success) return { ok: true, policy: result.data };
  const errors: Draft["errors"] = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path.at(-1)) as keyof Fields;
    if (!(key in fields)) continue;
    errors[key] ??= Number.isNaN(number(fields[key])) ? "Enter a number." : issue.message;
  }
  return { ok: false, errors };
}

function NumberInput({ label, value, error, onChange, readOnly, help }: { label: string; value: string; error?: string; onChange: (text: string) => void; readOnly?: boolean; help?: string }) {
  const id = useId();
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-stone-700">
        {label}
      </label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        readOnly={readOnly}
        aria-invalid={Boolean(error) || undefined}
        aria-describedby={error || help ? `${id}-note` : undefined}
        className={`${inputClass} font-mono tabular-nums read-only:bg-stone-50`}
      />
      {error ? (
        <p id={`${id}-note`} className="text-xs text-red-700">
          {error}
        </p>
      ) : help ? (
        <p id={`${id}-note`} className="text-xs text-stone-500">
          {help}
        </p>
      ) : null}
    </div>
  );
}

/** The Retry section of the block panel; `onChange(null)` removes the block's policy. */
export function RetrySection({ retry, onChange, readOnly }: { retry: RetryPolicy | undefined; onChange: (retry: RetryPolicy | null) => void; readOnly?: boolean }) {
  const [draft, setDraft, scope, sent] = useDraft(retry, draftOf);
  const headingId = useId();

  function update(fields: Fields, backoff: boolean) {
    const parsed = parseRetry(fields, backoff);
    setDraft({ present: true, fields, backoff, errors: parsed.ok ? {} : parsed.errors });
    if (parsed.ok) {
      sent(parsed.policy);
      onChange(parsed.policy);
    }
  }
  function replace(policy: RetryPolicy | null) {
    setDraft(draftOf(policy ?? undefined));
    sent(policy ?? undefined);
    onChange(policy);
  }
  const set = (key: keyof Fields) => (text: string) => update({ ...draft.fields, [key]: text }, draft.backoff);

  return (
    <section ref={scope} aria-labelledby={headingId} className="space-y-3">
      <div className="flex items-center justify-between gap-2">
        <h3 id={headingId} className="text-xs font-semibold uppercase tracking-wide text-stone-500">
          Retry
        </h3>
        {!readOnly &&
          (draft.present ? (
            <Button size="sm" variant="ghost" onClick={() => replace(null)}>
              Remove retry
            </Button>
          ) : (
            <Button size="sm" onClick={() => replace(DEFAULT_POLICY)}>
              Add retry
            </Button>
          ))}
      </div>
      {!draft.present ? (
        <p className="text-xs text-stone-500">No retry: a failure takes the block&apos;s error branch at once.</p>
      ) : (
        <>
          <NumberInput label="Max attempts" value={draft.fields.maxAttempts} error={draft.errors.maxAttempts} onChange={set("maxAttempts")} readOnly={readOnly} help="1 to 20, the first attempt included." />
          <div className="flex items-center gap-3">
            <Switch
              checked={draft.backoff}
              disabled={readOnly}
              label="Back off between attempts"
              onCheckedChange={(on) => update(on ? { ...draft.fields, ...stringFields(DEFAULT_BACKOFF, draft.fields) } : draft.fields, on)}
            />
            <span className="text-sm text-stone-700">Back off between attempts</span>
          </div>
          {draft.backoff && (
            <div className="grid grid-cols-3 gap-2">
              <NumberInput label="First wait (ms)" value={draft.fields.initialMs} error={draft.errors.initialMs} onChange={set("initialMs")} readOnly={readOnly} />
              <NumberInput label="Factor" value={draft.fields.factor} error={draft.errors.factor} onChange={set("factor")} readOnly={readOnly} />
              <NumberInput label="Longest wait (ms)" value={draft.fields.maxMs} error={draft.errors.maxMs} onChange={set("maxMs")} readOnly={readOnly} />
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** Backoff fields left empty get the defaults when backoff is switched on. */
function stringFields(defaults: typeof DEFAULT_BACKOFF, fields: Fields): Partial<Fields> {
  const out: Partial<Fields> = {};
  for (const key of ["initialMs", "factor", "maxMs"] as const) if (fields[key].trim() === "") out[key] = String(defaults[key]);
  return out;
}
