"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Ban, RotateCcw, Send } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { api, ApiFailure, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { cn } from "@/app/_ui/cn";
import { DialogClose, DialogContent, DialogRoot } from "@/app/_ui/dialog";
import { Field, inputClass } from "@/app/_ui/field";
import { isFinal, type RunResource } from "../run-words";

/** The wait_for_event block a run waits in, and the event name it waits for (its resolved input). */
export type WaitingEvent = { blockId: string; event: string };

/**
 * What can be done with a run: send the event its wait_for_event block waits for (`waitingEvent`,
 * null when it is not waiting on one), start it again with the same input, cancel it.
 */
export function RunActions({ run, waitingEvent, workflowGone }: { run: RunResource; waitingEvent: WaitingEvent | null; workflowGone: boolean }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const again = useMutation({
    mutationFn: async () => read(await api.api.workflows[":id"].run.$post({ param: { id: run.workflowId }, json: { input: run.input } })),
    onSuccess: (started) => {
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
      toast.success("Started a new run with the same input");
      router.push(`/runs/${started.runId}`);
    },
    onError: (e) => toast.error(e.message),
  });
  return (
    <div className="flex flex-wrap items-center gap-2">
      {waitingEvent !== null && <SendEventDialog run={run} waiting={waitingEvent} />}
      <Button
        onClick={() => again.mutate()}
        disabled={again.isPending || workflowGone}
        title={workflowGone ? "The workflow was deleted" : "Starts the workflow's current version with this run's input"}
      >
        <RotateCcw className="size-4" aria-hidden /> {again.isPending ? "Starting…" : "Run again"}
      </Button>
      {!isFinal(run.status) && <CancelDialog run={run} />}
    </div>
  );
}

function CancelDialog({ run }: { run: RunResource }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const cancel = useMutation({
    mutationFn: async () => read(await api.api.runs[":runId"].cancel.$post({ param: { runId: run.id } })),
    onSuccess: (canceled) => {
      queryClient.setQueryData(["run", run.id], canceled);
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
      setOpen(false);
      toast.success("Run canceled");
    },
    onError: (e) => toast.error(e.message),
  });
  return (
    <DialogRoot open={open} onOpenChange={setOpen}>
      <Button onClick={() => setOpen(true)} className="text-red-700 hover:text-red-800">
        <Ban className="size-4" aria-hidden /> Cancel run
      </Button>
      <DialogContent
        title="Cancel this run?"
        description={
          <>
            Run <span className="font-mono text-stone-700">{run.id}</span> stops now: blocks in flight are aborted and nothing after them starts. A canceled run
            cannot be resumed.
          </>
        }
      >
        <div className="flex justify-end gap-2">
          <DialogClose asChild>
            <Button>Keep it running</Button>
          </DialogClose>
          <Button variant="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {cancel.isPending ? "Canceling…" : "Cancel run"}
          </Button>
        </div>
      </DialogContent>
    </DialogRoot>
  );
}

function SendEventDialog({ run, waiting }: { run: RunResource; waiting: WaitingEvent }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<{ field: "event" | "data"; message: string } | null>(null);
  const send = useMutation({
    mutationFn: async (body: { event: string; data?: unknown }) => read(await api.api.runs[":runId"].events.$post({ param: { runId: run.id }, json: body })),
    onSuccess: (result) => {
      setOpen(false);
      toast.success(result.delivered ? "Event delivered; the run goes on" : "Event stored; the run takes it when it reaches a matching wait");
    },
    onError: (e) => setError({ field: e instanceof ApiFailure && e.code === "invalid_body" ? "data" : "event", message: e.message }),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("event") ?? "").trim();
    const text = String(form.get("data") ?? "").trim();
    if (!name) return setError({ field: "event", message: "Name the event the run waits for." });
    let data: unknown;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        return setError({ field: "data", message: "This is not valid JSON." });
      }
    }
    setError(null);
    send.mutate(text ? { event: name, data } : { event: name });
  }
  return (
    <DialogRoot
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setError(null);
      }}
    >
      <Button variant="primary" onClick={() => setOpen(true)}>
        <Send className="size-4" aria-hidden /> Send event
      </Button>
      <DialogContent title="Send an event to this run" description="The run is waiting in a wait_for_event block. The event wakes it; its data becomes the block's output.">
        <form onSubmit={submit} className="space-y-4">
          <Field label="Event name" htmlFor="event-name" error={error?.field === "event" ? error.message : null}>
            <input id="event-name" name="event" defaultValue={waiting.event} required maxLength={200} className={cn(inputClass, "font-mono")} />
          </Field>
          <Field label="Data (JSON)" htmlFor="event-data" help={`Optional. Later blocks read it as {{${waiting.blockId}.data}}.`} error={error?.field === "data" ? error.message : null}>
            <textarea id="event-data" name="data" rows={6} placeholder={'{ "approvedBy": "Ada" }'} className={cn(inputClass, "font-mono text-xs")} spellCheck={false} />
          </Field>
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button>Close</Button>
            </DialogClose>
            <Button type="submit" variant="primary" disabled={send.isPending}>
              {send.isPending ? "Sending…" : "Send event"}
            </Button>
          </div>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}
