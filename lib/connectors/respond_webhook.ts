import { z } from "zod";
import { defineConnector, ui } from "@/lib/engine/connector";
import {
  buildWebhookResponse,
  MAX_RESPONSE_STATUS,
  MIN_RESPONSE_STATUS,
  NO_BODY_STATUSES,
  responseHeaderProblems,
  type WebhookRespondOutcome,
} from "@/lib/engine/webhook-response";

/** The answer cannot be sent: `invalid_param` (a header, or a body with a no-body status) or `response_too_large`. */
export class RespondWebhookError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RespondWebhookError";
  }
}

const NOT_RESPONDED: Record<Exclude<WebhookRespondOutcome, { responded: true }>["reason"], string> = {
  not_webhook_run: "No webhook call started this run (it was started by hand, the API, a schedule or an agent): nothing to answer.",
  already_responded: "The webhook call was already answered",
  run_finished: "The run has already finished: nothing to answer.",
};

/**
 * Answers the webhook call that started the run (docs/runs.md, "Answering the caller"). The
 * runtime records the answer (ctx.respondToWebhook); a caller waiting on the run (`?wait`, or an
 * endpoint in response mode "wait") gets it at once while the run goes on.
 */
export const respondWebhook = defineConnector({
  type: "respond_webhook",
  name: "Respond to webhook",
  description:
    "Answers the webhook call that started the run with status, headers and body (templates allowed) while the run goes on. The caller gets it when it waits (?wait=<seconds>, or an endpoint whose responseMode is wait); the first respond_webhook of a run wins, and in a run no webhook started (a manual test run) it does nothing but log. Outputs responded (false when it did nothing) and status.",
  category: "network",
  kind: "action",
  params: z
    .object({
      status: z
        .number()
        .int()
        .min(MIN_RESPONSE_STATUS)
        .max(MAX_RESPONSE_STATUS)
        .optional()
        .describe(`HTTP status of the answer, ${MIN_RESPONSE_STATUS}–${MAX_RESPONSE_STATUS} (default 200); 204, 205 and 304 take no body`)
        .meta(ui({ label: "Status", widget: "number", placeholder: "200" })),
      headers: z
        .record(z.string(), z.string())
        .superRefine((headers, ctx) => {
          for (const [, problem] of responseHeaderProblems(headers)) ctx.addIssue({ code: "custom", message: problem });
        })
        .optional()
        .describe(
          "Response headers. Refused: framing and hop-by-hop headers (Content-Length, Transfer-Encoding, Connection…), Set-Cookie and other origin-wide ones (Strict-Transport-Security, Clear-Site-Data, Alt-Svc), Weft's security and CORS headers (Content-Security-Policy, X-Frame-Options, Access-Control-*…) and X-Weft-*",
        )
        .meta(ui({ label: "Headers", widget: "key_value" })),
      body: z
        .unknown()
        .optional()
        .describe("Answer body: text is sent as it is (text/plain), any other JSON value as JSON (application/json), unless a content-type header says otherwise")
        .meta(ui({ label: "Body", widget: "json", placeholder: '{ "ok": true, "id": "{{trigger.body.id}}" }' })),
    })
    .strict()
    .superRefine((params, ctx) => {
      const empty = params.body === undefined || params.body === null || params.body === "";
      if (typeof params.status === "number" && NO_BODY_STATUSES.has(params.status) && !empty) {
        ctx.addIssue({ code: "custom", path: ["body"], message: `a ${params.status} answer has no body` });
      }
    }),
  outputs: z.object({
    status: z.number().describe("The status answered (or that would have been)"),
    responded: z.boolean().describe("False when nothing was answered: no webhook started the run, another block answered first, or the run had ended"),
  }),
  run: async (ctx, params) => {
    const built = buildWebhookResponse(params);
    if (!built.ok) throw new RespondWebhookError(built.code, built.message);
    const outcome = await ctx.respondToWebhook(built.response);
    if (!outcome.responded) {
      const by = outcome.respondedBy ? ` by block "${outcome.respondedBy}"` : "";
      ctx.log("info", outcome.reason === "already_responded" ? `${NOT_RESPONDED.already_responded}${by}: the first answer stands.` : NOT_RESPONDED[outcome.reason]);
    }
    return { status: built.response.status, responded: outcome.responded };
  },
});
