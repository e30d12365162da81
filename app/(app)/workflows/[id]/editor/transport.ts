/**
 * The editor store's calls to the control plane, over the typed client (the same routes an agent
 * uses): the patch endpoint and restore with If-Match, the workflow, and the head of its history.
 */
import type { ControlPlaneClient } from "@/lib/api/client";
import type { ActorSummary } from "@/lib/resources/workflow";
import { read } from "@/app/_ui/api";
import type { EditorTransport, PatchAnswer } from "./editor-store";

async function patchAnswer(response: Response): Promise<{ ok: true; answer: PatchAnswer } | { ok: false; current: number }> {
  if (response.status === 412) {
    const body = (await response.json()) as { current: number };
    return { ok: false, current: body.current };
  }
  return { ok: true, answer: await read<PatchAnswer>(response) };
}

/** `describe` turns the head version's actor into words ("agent key ci-bot", "you"). */
export function editorTransport(client: ControlPlaneClient, workflowId: string, describe: (actor: ActorSummary | null, raw: string) => string): EditorTransport {
  const param = { id: workflowId };
  const workflows = client.api.workflows[":id"];
  return {
    async patch(ops, ifMatch) {
      return patchAnswer(await workflows.operations.$post({ param, json: { ops } }, { headers: { "If-Match": String(ifMatch) } }));
    },
    async restore(version, ifMatch) {
      return patchAnswer(await workflows.restore.$post({ param, json: { version } }, { headers: { "If-Match": String(ifMatch) } }));
    },
    async fetchWorkflow() {
      return read(await workflows.$get({ param }));
    },
    async head() {
      const page = await read(await workflows.versions.$get({ param, query: { limit: "1" } }));
      const item = page.data[0];
      return item ? { version: item.version, by: describe(item.actorInfo, item.actor) } : null;
    },
  };
}
