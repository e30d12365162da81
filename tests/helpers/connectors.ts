/**
 * Connectors the built-ins lack, for tests that need them. Each call returns a fresh definition;
 * add it to a registry with `createRegistry([...builtinConnectors, ...])`.
 */
import { z } from "zod";
import { defineConnector, type ConnectorContext } from "@/lib/engine/connector";

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

/** A context for calling a connector's `run` directly, outside any run: not webhook-started, logs dropped unless `overrides.log` is given. */
export function directContext(overrides: Partial<ConnectorContext> = {}): ConnectorContext {
  return {
    runId: "run_direct",
    blockId: "block",
    organizationId: "org_direct",
    signal: new AbortController().signal,
    log: () => undefined,
    respondToWebhook: async () => ({ responded: false, reason: "not_webhook_run" }),
    ...overrides,
  };
}
