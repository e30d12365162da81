/**
 * Connectors the built-ins lack, for tests that need them. Each call returns a fresh definition;
 * add it to a registry with `createRegistry([...builtinConnectors, ...])`.
 */
import { z } from "zod";
import { defineConnector } from "@/lib/engine/connector";

/** An operator-added action with a `user` param (`signature`): an API key may not set it, a person may. */
export function approvalRequestConnector() {
  return defineConnector({
    type: "approval_request",
    name: "Approval request",
    description: "Asks a person to approve.",
    category: "people",
    kind: "action",
    params: z.object({ to: z.string(), signature: z.string().optional().meta({ visibility: "user" }) }).strict(),
    outputs: z.object({ approved: z.boolean() }),
  });
}
