"use client";

/**
 * Run: an optional JSON input (remembered per workflow in this browser), checked before it is sent,
 * then the run's page — or, from the editor, the run drawn on the canvas. A definition that does not
 * validate comes back as 422 `workflow_invalid`; its errors are listed block by block, so the
 * person (or their agent) knows what to fix.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Play } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { api, ApiFailure, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { DialogContent, DialogRoot, DialogTrigger, FormActions } from "@/app/_ui/dialog";
import { Field, inputClass } from "@/app/_ui/field";
import type { Workflow } from "@/lib/resources/workflow";
import { failureText } from "../_components/workflow-dialogs";

interface ValidationError {
  block_id: string | null;
  block_type: string | null;
  field?: string;
  error: string;
}

/** The input a trigger expects, as a starting point in the placeholder. */
function exampleInput(workflow: Workflow): string {
  const trigger = workflow.definition.blocks.find((block) => block.type.startsWith("trigger_"));
  return trigger?.type === "trigger_webhook" ? '{ "body": { "name": "Ada" } }' : '{ "name": "Ada" }';
}

/** Where the last input given to Run is kept in this browser (the editor also offers its paths after `{{`). */
export const runInputKey = (workflowId: string) => `weft.run-input.${workflowId}`;

export function RunDialog({
  workflow,
  beforeRun,
  onStarted,
}: {
  workflow: Workflow;
  /** Saves the editor's pending edits, so the run gets what is on the canvas. */
  beforeRun?: () => Promise<void>;
  /** Called instead of opening the run's page. */
  onStarted?: (runId: string) => void;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  useEffect(() => {
    if (open) setText(window.localStorage.getItem(runInputKey(workflow.id)) ?? "");
  }, [open, workflow.id]);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: async (input: unknown) => {
      await beforeRun?.();
      return read(await api.api.workflows[":id"].run.$post({ param: { id: workflow.id }, json: input === undefined ? {} : { input } }));
    },
    onSuccess: (started) => {
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
      void queryClient.invalidateQueries({ queryKey: ["workflows"] });
      toast.success(`Run started: ${started.runId}`);
      setOpen(false);
      if (onStarted) onStarted(String(started.runId));
      else router.push(`/runs/${started.runId}`);
    },
  });
  const invalid = run.error instanceof ApiFailure && run.error.code === "workflow_invalid" ? (run.error.body.validation_errors as ValidationError[]) : null;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setJsonError(null);
    window.localStorage.setItem(runInputKey(workflow.id), text);
    if (!text.trim()) return run.mutate(undefined);
    try {
      run.mutate(JSON.parse(text));
    } catch (error) {
      setJsonError(`This is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  return (
    <DialogRoot
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) run.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="primary">
          <Play className="size-4" aria-hidden /> Run
        </Button>
      </DialogTrigger>
      <DialogContent wide title={`Run “${workflow.name}”`} description={`Runs version ${workflow.version} as it is now; later edits do not change a run that started.`}>
        <form onSubmit={submit} className="space-y-4">
          <Field
            label="Input (JSON)"
            htmlFor="run-input"
            error={jsonError}
            help={
              <>
                Optional. The trigger block outputs it, so blocks read it as <code className="font-mono">{"{{trg.…}}"}</code>. Leave
                it empty to run without input.
              </>
            }
          >
            <textarea
              id="run-input"
              value={text}
              onChange={(event) => setText(event.target.value)}
              rows={7}
              spellCheck={false}
              placeholder={exampleInput(workflow)}
              aria-invalid={jsonError ? true : undefined}
              className={`${inputClass} font-mono text-xs`}
            />
          </Field>
          {invalid ? (
            <ValidationErrors errors={invalid} />
          ) : (
            run.isError && (
              <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                {failureText(run.error)}
              </p>
            )
          )}
          <FormActions onCancel={() => setOpen(false)} disabled={run.isPending}>
            <Play className="size-4" aria-hidden /> {run.isPending ? "Starting…" : "Start run"}
          </FormActions>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}

function ValidationErrors({ errors }: { errors: ValidationError[] }) {
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3">
      <p className="text-sm font-medium text-red-800">
        This workflow cannot run yet: {errors.length === 1 ? "1 problem needs" : `${errors.length} problems need`} fixing first.
      </p>
      <ul className="mt-2 divide-y divide-red-100 text-sm">
        {errors.map((error, i) => (
          <li key={i} className="grid gap-x-3 py-1.5 sm:grid-cols-[10rem_1fr]">
            <span className="truncate font-mono text-xs text-red-900">
              {error.block_id ?? "workflow"}
              {error.field ? ` · ${error.field}` : ""}
            </span>
            <span className="text-red-800">{error.error}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
