/**
 * The built-in connectors. To add one: write one file beside this one and list it here; the
 * catalog, the validator, the editor and the runtime all pick it up from this registry.
 */
import { createRegistry, type AnyConnector } from "@/lib/engine/connector";
import { callWorkflow } from "./call_workflow";
import { code } from "./code";
import { condition } from "./condition";
import { greet } from "./greet";
import { httpRequest } from "./http_request";
import { llmChat } from "./llm_chat";
import { log } from "./log";
import { respondWebhook } from "./respond_webhook";
import { sendEmail } from "./send_email";
import { switchConnector } from "./switch";
import { transform } from "./transform";
import { triggerManual } from "./trigger_manual";
import { triggerSchedule } from "./trigger_schedule";
import { triggerWebhook } from "./trigger_webhook";
import { waitDuration } from "./wait_duration";
import { waitForEvent } from "./wait_for_event";

export const builtinConnectors: readonly AnyConnector[] = [
  triggerManual,
  triggerWebhook,
  triggerSchedule,
  httpRequest,
  respondWebhook,
  sendEmail,
  llmChat,
  condition,
  switchConnector,
  transform,
  code,
  log,
  waitDuration,
  waitForEvent,
  callWorkflow,
  greet,
];

/** The registry web and worker share. */
export const connectorRegistry = createRegistry(builtinConnectors);
