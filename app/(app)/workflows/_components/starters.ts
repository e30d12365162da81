/**
 * Starting points for "New workflow": until the canvas editor exists, a person can still create
 * something that runs without writing API calls. Each is an ordinary definition sent with the
 * create request, so it goes through the same patch path and validation as an agent's.
 */
import type { WorkflowDefinition } from "@/lib/engine/model";

export interface Starter {
  id: string;
  label: string;
  description: string;
  definition?: WorkflowDefinition;
}

export const STARTERS: readonly Starter[] = [
  { id: "empty", label: "Empty", description: "No blocks: agents add them with the patch endpoint." },
  {
    id: "greeter",
    label: "Greeter (webhook → greet)",
    description: "The README's quickstart: greets the name a webhook call sends. Run it with input {\"body\":{\"name\":\"Ada\"}}.",
    definition: {
      blocks: [
        { id: "trg", type: "trigger_webhook", name: "Incoming call", params: {} },
        { id: "greet", type: "greet", name: "Say hello", params: { name: "{{trg.body.name}}" } },
      ],
      edges: [{ source: "trg", target: "greet" }],
    },
  },
  {
    id: "approval",
    label: "Approval (waits for an event)",
    description: "Starts by hand, waits for an \"approved\" event (send it from the run's page), then logs who approved.",
    definition: {
      blocks: [
        { id: "start", type: "trigger_manual", name: "Start", params: {} },
        { id: "approval", type: "wait_for_event", name: "Wait for approval", params: { event: "approved", timeout_seconds: 86_400 } },
        { id: "done", type: "log", name: "Record the approval", params: { message: "Approved by {{approval.data.by}}" } },
      ],
      edges: [
        { source: "start", target: "approval" },
        { source: "approval", target: "done" },
      ],
    },
  },
];
