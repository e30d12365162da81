"use client";

/**
 * Workflow names for run rows and the workflow filter. Runs carry only a workflow id: names come
 * from the first 100 workflows, and any other id on screen is read once on its own (a deleted
 * workflow answers 404 and is shown as deleted).
 */
import { useQueries, useQuery } from "@tanstack/react-query";
import { api, isNotFound, read } from "@/app/_ui/api";

export type WorkflowName = { name: string } | { deleted: true };

export function useWorkflowList() {
  return useQuery({
    queryKey: ["workflows", { limit: 100 }],
    queryFn: async () => read(await api.api.workflows.$get({ query: { limit: "100" } })),
    staleTime: 30_000,
  });
}

export function useWorkflowNames(ids: readonly string[]): Map<string, WorkflowName> {
  const list = useWorkflowList();
  const names = new Map<string, WorkflowName>();
  for (const workflow of list.data?.data ?? []) names.set(workflow.id, { name: workflow.name });
  const missing = list.isPending ? [] : [...new Set(ids)].filter((id) => !names.has(id));
  const single = useQueries({
    queries: missing.map((id) => ({
      queryKey: ["workflow", id],
      queryFn: async () => read(await api.api.workflows[":id"].$get({ param: { id } })),
      staleTime: Infinity,
      retry: false,
    })),
  });
  missing.forEach((id, i) => {
    const answer = single[i];
    if (answer?.data) names.set(id, { name: answer.data.name });
    else if (isNotFound(answer?.error)) names.set(id, { deleted: true });
  });
  return names;
}
