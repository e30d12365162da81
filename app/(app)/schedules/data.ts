"use client";

/**
 * The schedules page's reads: one page of schedules, and the organization's workflows (for names
 * and for the picker). Writes live next to the controls that make them.
 */
import { useQuery } from "@tanstack/react-query";
import { api, read } from "@/app/_ui/api";
import type { ScheduleResource } from "@/lib/resources/schedule";

export type Schedule = ScheduleResource;
export const PAGE_SIZE = 20;

export function useSchedulePage(cursor: string | undefined) {
  return useQuery({
    queryKey: ["schedules", { cursor }],
    queryFn: async () => read(await api.api.schedules.$get({ query: { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) } })),
    // Fire times move on and the ticker records failures; the list keeps up without a reload.
    refetchInterval: 15_000,
  });
}

export interface WorkflowChoice {
  id: string;
  name: string;
}

/** How many workflows the picker reads at most (five pages of the API's largest size). */
const WORKFLOW_PAGES = 5;

/** The organization's workflows, newest first, as id and name; `fresh` reads them again on mount (a picker must not miss one just made). */
export function useWorkflowChoices({ fresh = false }: { fresh?: boolean } = {}) {
  return useQuery({
    queryKey: ["workflows", "choices"],
    queryFn: async (): Promise<WorkflowChoice[]> => {
      const all: WorkflowChoice[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < WORKFLOW_PAGES; page++) {
        const answer = await read(await api.api.workflows.$get({ query: { limit: "100", ...(cursor ? { cursor } : {}) } }));
        all.push(...answer.data.map((workflow) => ({ id: workflow.id, name: workflow.name })));
        if (!answer.nextCursor) break;
        cursor = answer.nextCursor;
      }
      return all;
    },
    staleTime: 30_000,
    refetchOnMount: fresh ? "always" : true,
  });
}
