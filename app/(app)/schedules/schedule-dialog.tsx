"use client";

/**
 * Create or change a schedule. The cron is read aloud while it is typed (cronstrue); the server
 * decides, and its `invalid_cron` / `invalid_timezone` answers appear under the field they name.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { ApiFailure, api, read } from "@/app/_ui/api";
import { cn } from "@/app/_ui/cn";
import { DialogContent, DialogRoot, FormActions } from "@/app/_ui/dialog";
import { Field, FormError, inputClass } from "@/app/_ui/field";
import { allZones, describeCron, viewerZone } from "./cron-text";
import { useWorkflowChoices, type Schedule } from "./data";
import { Switch } from "@/app/_ui/switch";

const PRESETS = [
  { label: "Every 15 minutes", cron: "*/15 * * * *" },
  { label: "Hourly", cron: "0 * * * *" },
  { label: "Daily at midnight", cron: "0 0 * * *" },
  { label: "Weekdays at 09:00", cron: "0 9 * * 1-5" },
  { label: "Mondays at 08:00", cron: "0 8 * * 1" },
];

type Errors = Partial<Record<"workflow" | "cron" | "timezone" | "input" | "form", string>>;

/** `schedule` null: a new one. The form starts from the schedule each time the dialog opens. */
export function ScheduleDialog({ open, onOpenChange, schedule }: { open: boolean; onOpenChange: (open: boolean) => void; schedule: Schedule | null }) {
  return (
    <DialogRoot open={open} onOpenChange={onOpenChange}>
      <DialogContent
        wide
        title={schedule ? "Edit schedule" : "New schedule"}
        description="A schedule starts a run of a workflow at the times its cron expression names, in its time zone."
      >
        {open && <ScheduleForm key={schedule?.id ?? "new"} schedule={schedule} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </DialogRoot>
  );
}

function ScheduleForm({ schedule, onDone }: { schedule: Schedule | null; onDone: () => void }) {
  const queryClient = useQueryClient();
  const workflows = useWorkflowChoices({ fresh: true });
  const zones = useMemo(() => groupZones(allZones()), []);
  const [workflowId, setWorkflowId] = useState(schedule?.workflowId ?? "");
  const [cron, setCron] = useState(schedule?.cron ?? "");
  const [timezone, setTimezone] = useState(schedule?.timezone ?? viewerZone());
  const [inputText, setInputText] = useState(schedule && schedule.input !== null ? JSON.stringify(schedule.input, null, 2) : "");
  const [enabled, setEnabled] = useState(schedule?.enabled ?? true);
  const [errors, setErrors] = useState<Errors>({});
  const description = describeCron(cron);

  const save = useMutation({
    mutationFn: async (input: unknown) => {
      if (schedule) {
        return read(await api.api.schedules[":id"].$patch({ param: { id: schedule.id }, json: { cron: cron.trim(), timezone, input, enabled } }));
      }
      return read(await api.api.schedules.$post({ json: { workflowId, cron: cron.trim(), timezone, enabled, ...(input === null ? {} : { input }) } }));
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["schedules"] });
      toast.success(schedule ? "Schedule saved" : "Schedule created");
      onDone();
    },
    onError: (error) => setErrors(errorsOf(error)),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next: Errors = {};
    if (!schedule && !workflowId) next.workflow = "Pick the workflow this schedule starts.";
    let input: unknown = null;
    if (inputText.trim()) {
      try {
        input = JSON.parse(inputText);
      } catch (error) {
        next.input = `This is not JSON: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    setErrors(next);
    if (Object.keys(next).length === 0) save.mutate(input);
  }

  const noWorkflows = workflows.isSuccess && !workflows.isFetching && workflows.data.length === 0;
  return (
    <form onSubmit={submit} noValidate className="space-y-5">
      <Field label="Workflow" htmlFor="schedule-workflow" error={errors.workflow} help={schedule ? "A schedule always starts the same workflow." : undefined}>
        {noWorkflows ? (
          <p className="rounded-md border border-dashed border-stone-300 px-3 py-2 text-sm text-stone-500">
            This organization has no workflows yet.{" "}
            <Link href="/workflows" className="font-medium text-indigo-700 underline">
              Create one first
            </Link>
            .
          </p>
        ) : (
          <select
            id="schedule-workflow"
            value={workflowId}
            onChange={(event) => setWorkflowId(event.target.value)}
            disabled={Boolean(schedule) || workflows.isPending}
            className={inputClass}
            aria-invalid={Boolean(errors.workflow)}
          >
            <option value="">{workflows.isPending ? "Loading workflows…" : "Pick a workflow"}</option>
            {(workflows.data ?? []).map((workflow) => (
              <option key={workflow.id} value={workflow.id}>
                {workflow.name}
              </option>
            ))}
            {schedule && !workflows.data?.some((workflow) => workflow.id === schedule.workflowId) && <option value={schedule.workflowId}>{schedule.workflowId}</option>}
          </select>
        )}
      </Field>

      <div className="space-y-1.5">
        <Field label="Cron expression" htmlFor="schedule-cron" error={errors.cron}>
          <input
            id="schedule-cron"
            value={cron}
            onChange={(event) => {
              setCron(event.target.value);
              if (errors.cron) setErrors({ ...errors, cron: undefined });
            }}
            placeholder="0 9 * * 1-5"
            autoComplete="off"
            spellCheck={false}
            className={cn(inputClass, "font-mono")}
            aria-invalid={Boolean(errors.cron)}
            aria-describedby="schedule-cron-words"
          />
        </Field>
        {/* The server's verdict, once given, replaces the live reading until the cron changes. */}
        {!errors.cron && (
          <p id="schedule-cron-words" data-testid="cron-description" className={cn("text-xs", description.ok ? "text-stone-700" : "text-amber-700")}>
            {description.ok ? description.text : description.message}
          </p>
        )}
        <div className="flex flex-wrap gap-1.5 pt-1" aria-label="Common schedules">
          {PRESETS.map((preset) => (
            <button
              key={preset.cron}
              type="button"
              onClick={() => setCron(preset.cron)}
              className="rounded-full border border-stone-200 bg-stone-50 px-2.5 py-0.5 text-xs text-stone-600 hover:border-stone-300 hover:bg-white focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              {preset.label}
            </button>
          ))}
        </div>
      </div>

      <Field label="Time zone" htmlFor="schedule-zone" error={errors.timezone} help="The clock the cron is read in, daylight saving included.">
        <select id="schedule-zone" value={timezone} onChange={(event) => setTimezone(event.target.value)} className={inputClass} aria-invalid={Boolean(errors.timezone)}>
          {!zones.known.has(timezone) && <option value={timezone}>{timezone}</option>}
          {zones.groups.map(([region, names]) => (
            <optgroup key={region} label={region}>
              {names.map((zone) => (
                <option key={zone} value={zone}>
                  {zone.replaceAll("_", " ")}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </Field>

      <Field label="Run input (optional)" htmlFor="schedule-input" error={errors.input} help="JSON given to every run this schedule starts. Leave empty for none.">
        <textarea
          id="schedule-input"
          value={inputText}
          onChange={(event) => setInputText(event.target.value)}
          rows={4}
          spellCheck={false}
          placeholder='{ "report": "daily" }'
          className={cn(inputClass, "font-mono text-xs")}
          aria-invalid={Boolean(errors.input)}
        />
      </Field>

      <div className="flex items-center justify-between gap-4 rounded-md border border-stone-200 px-3 py-2.5">
        <label htmlFor="schedule-enabled" className="text-sm">
          <span className="block font-medium text-stone-800">Enabled</span>
          <span className="block text-xs text-stone-500">A disabled schedule keeps its settings and starts nothing.</span>
        </label>
        <Switch id="schedule-enabled" checked={enabled} onCheckedChange={setEnabled} label="Enabled" />
      </div>

      <FormError message={errors.form} />
      <FormActions onCancel={onDone} disabled={save.isPending || noWorkflows}>
        {save.isPending ? "Saving…" : schedule ? "Save schedule" : "Create schedule"}
      </FormActions>
    </form>
  );
}

/** The server's answer, under the field it is about. */
function errorsOf(error: unknown): Errors {
  if (!(error instanceof ApiFailure)) return { form: error instanceof Error ? error.message : "Saving did not work." };
  const hint = typeof error.body.hint === "string" ? ` ${error.body.hint}` : "";
  switch (error.code) {
    case "invalid_cron":
      return { cron: error.message + hint };
    case "invalid_timezone":
      return { timezone: error.message + hint };
    case "workflow_not_found":
      return { workflow: error.message };
    default:
      return { form: error.message + hint };
  }
}

/** Zones by region ("Europe", "America"…), for optgroups; UTC and other single names under "Other". */
function groupZones(zones: string[]): { groups: [string, string[]][]; known: Set<string> } {
  const groups = new Map<string, string[]>();
  for (const zone of zones) {
    const region = zone.includes("/") ? zone.slice(0, zone.indexOf("/")) : "Other";
    groups.set(region, [...(groups.get(region) ?? []), zone]);
  }
  const other = groups.get("Other");
  groups.delete("Other");
  const sorted = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  return { groups: other ? [["Other", other], ...sorted] : sorted, known: new Set(zones) };
}
