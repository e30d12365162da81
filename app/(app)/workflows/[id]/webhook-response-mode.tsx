"use client";

/**
 * How a webhook endpoint answers calls that send no `?wait` (docs/runs.md, "Answering the
 * caller"): at once with 202, or after waiting up to `waitSeconds` for the workflow's own answer
 * (a respond_webhook block) or its result. Used by the create dialog and by each endpoint's
 * "Answering" dialog, which saves with PATCH.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Reply } from "lucide-react";
import { useId, useState, type FormEvent } from "react";
import { api, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { DialogContent, DialogRoot, DialogTrigger, FormActions } from "@/app/_ui/dialog";
import { inputClass } from "@/app/_ui/field";
import {
  DEFAULT_ENDPOINT_WAIT_SECONDS,
  MAX_ENDPOINT_WAIT_SECONDS,
  type WebhookEndpoint,
  type WebhookResponseMode,
} from "@/lib/resources/webhook-endpoint";
import { failureText } from "../_components/workflow-dialogs";

export interface ResponseSettings {
  responseMode: WebhookResponseMode;
  waitSeconds: number;
}

export const DEFAULT_RESPONSE_SETTINGS: ResponseSettings = { responseMode: "accepted", waitSeconds: DEFAULT_ENDPOINT_WAIT_SECONDS };

/** One line for an endpoint's card. */
export function responseSummary({ responseMode, waitSeconds }: ResponseSettings): string {
  return responseMode === "wait" ? `Waits up to ${waitSeconds} s for the workflow's answer` : "Answers 202 at once";
}

/** True when the wait is a whole number of seconds the endpoint accepts. */
export function validWait(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_ENDPOINT_WAIT_SECONDS;
}

/** The two choices and, for "wait", the seconds. */
export function ResponseModeFields({ value, onChange }: { value: ResponseSettings; onChange: (next: ResponseSettings) => void }) {
  const id = useId();
  const option = (mode: WebhookResponseMode, title: string, detail: string) => (
    <label className="flex cursor-pointer gap-2 rounded-md border border-stone-300 p-2.5 has-[:checked]:border-indigo-500 has-[:checked]:bg-indigo-50 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600">
      <input
        type="radio"
        name={`${id}-mode`}
        checked={value.responseMode === mode}
        onChange={() => onChange({ ...value, responseMode: mode })}
        className="mt-0.5 size-3.5 accent-indigo-600"
      />
      <span>
        <span className="block text-sm font-medium text-stone-800">{title}</span>
        <span className="block text-xs text-stone-500">{detail}</span>
      </span>
    </label>
  );
  const waitInvalid = value.responseMode === "wait" && !validWait(value.waitSeconds);
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-stone-800">How calls are answered</legend>
      {option("accepted", "At once", "202 with the run's id; the sender follows the run elsewhere.")}
      {option("wait", "Wait for the workflow", "The workflow's Respond to webhook block answers (status, headers, body); without one, the finished run.")}
      {value.responseMode === "wait" && (
        <div className="flex items-center gap-2 pl-6">
          <label htmlFor={`${id}-seconds`} className="whitespace-nowrap text-sm text-stone-700">
            Wait up to
          </label>
          <input
            id={`${id}-seconds`}
            type="number"
            min={1}
            max={MAX_ENDPOINT_WAIT_SECONDS}
            step={1}
            value={Number.isNaN(value.waitSeconds) ? "" : value.waitSeconds}
            onChange={(event) => onChange({ ...value, waitSeconds: event.target.valueAsNumber })}
            className={`${inputClass} w-20`}
            aria-invalid={waitInvalid}
          />
          <span className="text-sm text-stone-700">seconds</span>
        </div>
      )}
      <p className={waitInvalid ? "text-xs text-red-700" : "text-xs text-stone-500"} role={waitInvalid ? "alert" : undefined}>
        {waitInvalid
          ? `Pick a whole number of seconds from 1 to ${MAX_ENDPOINT_WAIT_SECONDS}.`
          : (
            <>
              Past the wait, the answer is 202 with the run&apos;s id. A call&apos;s own <code className="whitespace-nowrap">?wait=&lt;seconds&gt;</code> always wins.
            </>
          )}
      </p>
    </fieldset>
  );
}

/** The "Answering" button of an endpoint's card and its dialog. */
export function ResponseModeDialog({ workflowId, endpoint }: { workflowId: string; endpoint: WebhookEndpoint }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState<ResponseSettings>({ responseMode: endpoint.responseMode, waitSeconds: endpoint.waitSeconds });
  const save = useMutation({
    mutationFn: async () =>
      read(
        await api.api.workflows[":id"].webhooks[":endpointId"].$patch({
          param: { id: workflowId, endpointId: endpoint.id },
          json: value.responseMode === "wait" ? value : { responseMode: "accepted" },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["webhooks", workflowId] });
      setOpen(false);
    },
  });
  const invalid = value.responseMode === "wait" && !validWait(value.waitSeconds);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!invalid) save.mutate();
  }
  return (
    <DialogRoot
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setValue({ responseMode: endpoint.responseMode, waitSeconds: endpoint.waitSeconds });
          save.reset();
        }
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm">
          <Reply className="size-3.5" aria-hidden /> Answering
        </Button>
      </DialogTrigger>
      <DialogContent title="How this endpoint answers" description="Applies to the next call. The URL and the secret stay the same.">
        <form onSubmit={submit} className="space-y-4">
          <ResponseModeFields value={value} onChange={setValue} />
          {save.isError && (
            <p role="alert" className="text-sm text-red-700">
              {failureText(save.error)}
            </p>
          )}
          <FormActions onCancel={() => setOpen(false)} disabled={save.isPending || invalid}>
            {save.isPending ? "Saving…" : "Save"}
          </FormActions>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}
