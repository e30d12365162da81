"use client";

import { X } from "lucide-react";
import { Button } from "@/app/_ui/button";
import { cn } from "@/app/_ui/cn";
import { inputClass } from "@/app/_ui/field";
import { RUN_STATUSES, RUN_TRIGGERS, STATUS_LABELS, TRIGGER_LABELS, type RunStatus, type RunTrigger } from "./run-words";
import type { WorkflowName } from "./workflow-names";

export type RunFilters = { workflowId?: string; status?: RunStatus; trigger?: RunTrigger };

const selectClass = cn(inputClass, "h-9 w-full py-1.5 pr-8 sm:w-auto");

/** The filter bar above the runs table. */
export function RunsFilters({
  filters,
  onChange,
  showWorkflow,
  filtered,
  workflows,
}: {
  filters: RunFilters;
  onChange: (next: RunFilters) => void;
  showWorkflow: boolean;
  filtered: boolean;
  /** Workflows to offer, by id (deleted ones are left out). */
  workflows: Map<string, WorkflowName>;
}) {
  const listed = [...workflows].flatMap(([id, w]) => ("name" in w ? [{ id, name: w.name }] : [])).sort((a, b) => a.name.localeCompare(b.name));
  // A workflow id from a shared URL that is not among the first 100 still shows as selected.
  const unlisted = filters.workflowId && !listed.some((w) => w.id === filters.workflowId) ? filters.workflowId : null;
  return (
    <div className="flex flex-col gap-2 sm:flex-row sm:flex-wrap sm:items-center">
      {showWorkflow && (
        <div className="min-w-0">
          <select
            aria-label="Workflow"
            value={filters.workflowId ?? ""}
            onChange={(e) => onChange({ ...filters, workflowId: e.target.value || undefined })}
            className={cn(selectClass, "sm:max-w-64")}
          >
            <option value="">All workflows</option>
            {unlisted && <option value={unlisted}>{unlisted}</option>}
            {listed.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="grid grid-cols-2 gap-2 sm:flex">
        <ChoiceSelect
          label="Status"
          anyLabel="Any status"
          value={filters.status}
          options={RUN_STATUSES}
          labels={STATUS_LABELS}
          onChange={(status) => onChange({ ...filters, status })}
        />
        <ChoiceSelect
          label="Trigger"
          anyLabel="Any trigger"
          value={filters.trigger}
          options={RUN_TRIGGERS}
          labels={TRIGGER_LABELS}
          onChange={(trigger) => onChange({ ...filters, trigger })}
        />
      </div>
      {filtered && (
        <Button variant="ghost" size="sm" onClick={() => onChange({})} className="self-start sm:self-auto">
          <X className="size-3.5" aria-hidden /> Clear filters
        </Button>
      )}
    </div>
  );
}

/** One fixed-choice filter: an "any" option, then each choice by its label. */
function ChoiceSelect<T extends string>({
  label,
  anyLabel,
  value,
  options,
  labels,
  onChange,
}: {
  label: string;
  anyLabel: string;
  value: T | undefined;
  options: readonly T[];
  labels: Record<T, string>;
  onChange: (next: T | undefined) => void;
}) {
  return (
    <div>
      <select aria-label={label} value={value ?? ""} onChange={(e) => onChange((e.target.value || undefined) as T | undefined)} className={selectClass}>
        <option value="">{anyLabel}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {labels[o]}
          </option>
        ))}
      </select>
    </div>
  );
}
