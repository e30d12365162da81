"use client";

/**
 * The dialogs that create, rename and delete a workflow, shared by the list and the workflow's
 * page. A 404 (deleted meanwhile, by someone else or an agent) and a 412 (the definition changed
 * since the page loaded it) end in a toast and a refetch, so the page shows what is true now.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { toast } from "sonner";
import { api, ApiFailure, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { DialogContent, DialogRoot, DialogTrigger, FormActions } from "@/app/_ui/dialog";
import { Field, inputClass } from "@/app/_ui/field";
import type { WorkflowDefinition } from "@/lib/engine/model";
import { STARTERS } from "./starters";

interface WorkflowRef {
  id: string;
  name: string;
  description: string;
  version: number;
}

/** The server's message, and its hint when it gave one. */
export function failureText(error: unknown): string {
  if (error instanceof ApiFailure) {
    const hint = typeof error.body.hint === "string" ? ` ${error.body.hint}` : "";
    return `${error.message}${hint}`;
  }
  return error instanceof Error ? error.message : "Something went wrong.";
}

/** Toasts what a 404 or 412 means for `name` and refetches; false for any other failure. */
function explainStale(error: unknown, name: string, refetch: () => void): boolean {
  if (!(error instanceof ApiFailure) || (error.status !== 404 && error.status !== 412)) return false;
  if (error.status === 404) toast.error(`“${name}” no longer exists: it was deleted meanwhile.`);
  else toast.error(`“${name}” changed since you loaded it (now version ${String(error.body.current ?? "?")}). Check it, then try again.`);
  refetch();
  return true;
}

function useRefetchWorkflows(id: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ["workflows"] });
    void queryClient.invalidateQueries({ queryKey: ["workflow", id] });
  };
}

/** "New workflow": a name, a description and a starting point, then the new workflow's page. */
export function NewWorkflowDialog({ trigger }: { trigger: ReactNode }) {
  const [open, setOpen] = useState(false);
  const router = useRouter();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: async (body: { name: string; description: string; definition?: WorkflowDefinition }) => read(await api.api.workflows.$post({ json: body })),
    onSuccess: (workflow) => {
      void queryClient.invalidateQueries({ queryKey: ["workflows"] });
      toast.success(`Created “${workflow.name}”`);
      router.push(`/workflows/${workflow.id}`);
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const starter = STARTERS.find((s) => s.id === form.get("starter"));
    create.mutate({
      name: String(form.get("name") ?? "").trim(),
      description: String(form.get("description") ?? "").trim(),
      ...(starter?.definition ? { definition: starter.definition } : {}),
    });
  }
  return (
    <DialogRoot open={open} onOpenChange={(next) => (setOpen(next), next || create.reset())}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title="New workflow" description="Start empty (agents add blocks with the patch endpoint) or from a small example you can run at once.">
        <form onSubmit={submit} className="space-y-4">
          <Field label="Name" htmlFor="new-workflow-name" error={create.isError ? failureText(create.error) : null}>
            <input id="new-workflow-name" name="name" required maxLength={200} autoFocus className={inputClass} placeholder="Lead intake" />
          </Field>
          <Field label="Description" htmlFor="new-workflow-description" help="Optional. One line on what it does, for your team and your agents.">
            <textarea id="new-workflow-description" name="description" rows={3} maxLength={2000} className={inputClass} />
          </Field>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-stone-800">Start from</legend>
            {STARTERS.map((starter, i) => (
              <label
                key={starter.id}
                className="flex cursor-pointer gap-3 rounded-md border border-stone-200 px-3 py-2 hover:bg-stone-50 has-[:checked]:border-indigo-400 has-[:checked]:bg-indigo-50/60"
              >
                <input type="radio" name="starter" value={starter.id} defaultChecked={i === 0} className="mt-1 accent-indigo-600" />
                <span>
                  <span className="block text-sm font-medium text-stone-900">{starter.label}</span>
                  <span className="block text-xs text-stone-500">{starter.description}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <FormActions onCancel={() => setOpen(false)} disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create workflow"}
          </FormActions>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}

/** Rename and re-describe; the version does not change (only definitions are versioned). */
export function RenameWorkflowDialog({ workflow, open, onOpenChange }: { workflow: WorkflowRef; open: boolean; onOpenChange: (open: boolean) => void }) {
  const refetch = useRefetchWorkflows(workflow.id);
  const rename = useMutation({
    mutationFn: async (body: { name: string; description: string }) =>
      read(await api.api.workflows[":id"].$patch({ param: { id: workflow.id }, json: body })),
    onSuccess: (updated) => {
      refetch();
      toast.success(`Saved “${updated.name}”`);
      onOpenChange(false);
    },
    onError: (error) => {
      if (explainStale(error, workflow.name, refetch)) onOpenChange(false);
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    rename.mutate({ name: String(form.get("name") ?? "").trim(), description: String(form.get("description") ?? "").trim() });
  }
  return (
    <DialogRoot open={open} onOpenChange={(next) => (onOpenChange(next), next || rename.reset())}>
      <DialogContent title="Rename workflow" description="Runs, webhooks and schedules keep working: they refer to the workflow's id, not its name.">
        <form onSubmit={submit} className="space-y-4">
          <Field label="Name" htmlFor="rename-workflow-name" error={rename.isError ? failureText(rename.error) : null}>
            <input id="rename-workflow-name" name="name" required maxLength={200} autoFocus defaultValue={workflow.name} className={inputClass} />
          </Field>
          <Field label="Description" htmlFor="rename-workflow-description">
            <textarea id="rename-workflow-description" name="description" rows={3} maxLength={2000} defaultValue={workflow.description} className={inputClass} />
          </Field>
          <FormActions onCancel={() => onOpenChange(false)} disabled={rename.isPending}>
            {rename.isPending ? "Saving…" : "Save"}
          </FormActions>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}

/**
 * Deletes the version the person saw (If-Match): if an agent changed the workflow meanwhile, the
 * delete is refused (412) rather than throwing away work nobody looked at.
 */
export function DeleteWorkflowDialog({
  workflow,
  open,
  onOpenChange,
  onDeleted,
}: {
  workflow: WorkflowRef;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onDeleted?: () => void;
}) {
  const refetch = useRefetchWorkflows(workflow.id);
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: async () =>
      read(await api.api.workflows[":id"].$delete({ param: { id: workflow.id } }, { headers: { "If-Match": String(workflow.version) } })),
    onSuccess: () => {
      toast.success(`Deleted “${workflow.name}”`);
      onOpenChange(false);
      onDeleted?.();
      // Not a refetch of the workflow itself: it is gone, and its page is on its way out.
      void queryClient.invalidateQueries({ queryKey: ["workflows"] });
      queryClient.removeQueries({ queryKey: ["workflow", workflow.id], type: "inactive" });
    },
    onError: (error) => {
      if (explainStale(error, workflow.name, refetch)) onOpenChange(false);
      else toast.error(failureText(error));
    },
  });
  return (
    <DialogRoot open={open} onOpenChange={onOpenChange}>
      <DialogContent
        title={`Delete “${workflow.name}”?`}
        description="Its webhooks stop answering and its schedules are turned off. Runs already started finish with the definition they pinned."
      >
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button variant="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
            {remove.isPending ? "Deleting…" : "Delete workflow"}
          </Button>
        </div>
      </DialogContent>
    </DialogRoot>
  );
}
