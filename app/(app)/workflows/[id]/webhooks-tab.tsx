"use client";

/**
 * The Webhooks tab: the workflow's inbound endpoints. Creating one or rotating its secret shows the
 * secret once (./webhook-secret.tsx); each endpoint says how it answers calls, changed in its
 * "Answering" dialog (./webhook-response-mode.tsx), and lists its last deliveries (the runs it
 * started), refetched every 5 seconds so a call shows up while the person watches.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus, RefreshCw, Trash2, Webhook } from "lucide-react";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { api, isNotFound, read } from "@/app/_ui/api";
import { Button } from "@/app/_ui/button";
import { CopyButton } from "@/app/_ui/copy";
import { ConfirmDialog, DialogContent, DialogRoot, DialogTrigger, FormActions } from "@/app/_ui/dialog";
import { Card } from "@/app/_ui/page";
import { EmptyState, ErrorState, Skeleton, TableSkeleton } from "@/app/_ui/states";
import { StatusPill } from "@/app/_ui/status";
import { RelativeTime } from "@/app/_ui/time";
import { WEBHOOK_METHODS, type WebhookEndpoint, type WebhookMethod } from "@/lib/resources/webhook-endpoint";
import { failureText } from "../_components/workflow-dialogs";
import { DEFAULT_RESPONSE_SETTINGS, ResponseModeDialog, ResponseModeFields, responseSummary, validWait, type ResponseSettings } from "./webhook-response-mode";
import { SecretDialog, type ShownSecret } from "./webhook-secret";

export function WebhooksTab({ workflowId }: { workflowId: string }) {
  const [shown, setShown] = useState<ShownSecret | null>(null);
  const endpoints = useQuery({
    queryKey: ["webhooks", workflowId],
    queryFn: async () => read(await api.api.workflows[":id"].webhooks.$get({ param: { id: workflowId }, query: { limit: "100" } })),
  });
  const create = (primary: boolean) => <CreateEndpointDialog workflowId={workflowId} onCreated={setShown} primary={primary} />;

  return (
    <section aria-labelledby="webhooks-heading">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <div>
          <h2 id="webhooks-heading" className="text-sm font-semibold text-stone-900">Webhook endpoints</h2>
          <p className="text-xs text-stone-500">URLs that start a run of this workflow when another service calls them.</p>
        </div>
        {endpoints.data && endpoints.data.data.length > 0 && create(false)}
      </div>
      {endpoints.isPending ? (
        <TableSkeleton rows={2} label="Loading webhook endpoints" />
      ) : !endpoints.data ? (
        <ErrorState error={endpoints.error} onRetry={() => void endpoints.refetch()} />
      ) : endpoints.data.data.length === 0 ? (
        <EmptyState icon={<Webhook className="size-8" aria-hidden />} title="No webhook endpoints" action={create(true)}>
          An endpoint gives this workflow a URL and a secret. Each call with the secret starts a run, with the request (method,
          headers, query, body) as its input.
        </EmptyState>
      ) : (
        <ul className="space-y-4">
          {endpoints.data.data.map((endpoint) => (
            <li key={endpoint.id} data-testid="webhook-endpoint">
              <EndpointCard workflowId={workflowId} endpoint={endpoint} onRotated={setShown} />
            </li>
          ))}
        </ul>
      )}
      <SecretDialog shown={shown} onClose={() => setShown(null)} />
    </section>
  );
}

/** `primary` only in the empty state: the page's one primary action is Run. */
function CreateEndpointDialog({ workflowId, onCreated, primary }: { workflowId: string; onCreated: (shown: ShownSecret) => void; primary: boolean }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [methods, setMethods] = useState<WebhookMethod[]>(["POST"]);
  const [answering, setAnswering] = useState<ResponseSettings>(DEFAULT_RESPONSE_SETTINGS);
  const invalidWait = answering.responseMode === "wait" && !validWait(answering.waitSeconds);
  const create = useMutation({
    mutationFn: async () =>
      read(
        await api.api.workflows[":id"].webhooks.$post({
          param: { id: workflowId },
          json: answering.responseMode === "wait" ? { methods, ...answering } : { methods },
        }),
      ),
    onSuccess: (endpoint) => {
      void queryClient.invalidateQueries({ queryKey: ["webhooks", workflowId] });
      setOpen(false);
      onCreated({ kind: "created", url: endpoint.url, secret: endpoint.secret, methods: endpoint.methods });
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (methods.length > 0 && !invalidWait) create.mutate();
  }
  function toggle(method: WebhookMethod, on: boolean) {
    setMethods((current) => WEBHOOK_METHODS.filter((m) => (m === method ? on : current.includes(m))));
  }
  return (
    <DialogRoot
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setMethods(["POST"]);
          setAnswering(DEFAULT_RESPONSE_SETTINGS);
          create.reset();
        }
      }}
    >
      <DialogTrigger asChild>
        <Button variant={primary ? "primary" : "secondary"}>
          <Plus className="size-4" aria-hidden /> Create endpoint
        </Button>
      </DialogTrigger>
      <DialogContent title="Create a webhook endpoint" description="You get its URL and secret next. The secret is shown once.">
        <form onSubmit={submit} className="space-y-4">
          <fieldset>
            <legend className="text-sm font-medium text-stone-800">Methods it accepts</legend>
            <div className="mt-2 flex flex-wrap gap-2">
              {WEBHOOK_METHODS.map((method) => (
                <label
                  key={method}
                  className="inline-flex cursor-pointer items-center gap-2 rounded-md border border-stone-300 px-2.5 py-1.5 font-mono text-xs text-stone-800 has-[:checked]:border-indigo-500 has-[:checked]:bg-indigo-50 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600"
                >
                  <input
                    type="checkbox"
                    checked={methods.includes(method)}
                    onChange={(event) => toggle(method, event.target.checked)}
                    className="size-3.5 accent-indigo-600"
                  />
                  {method}
                </label>
              ))}
            </div>
            <p className={methods.length === 0 ? "mt-1.5 text-xs text-red-700" : "mt-1.5 text-xs text-stone-500"} role={methods.length === 0 ? "alert" : undefined}>
              {methods.length === 0 ? "Pick at least one method." : "Calls with any other method get 405."}
            </p>
          </fieldset>
          <ResponseModeFields value={answering} onChange={setAnswering} />
          {create.isError && (
            <p role="alert" className="text-sm text-red-700">
              {failureText(create.error)}
            </p>
          )}
          <FormActions onCancel={() => setOpen(false)} disabled={create.isPending || methods.length === 0 || invalidWait}>
            {create.isPending ? "Creating…" : "Create endpoint"}
          </FormActions>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}

function EndpointCard({ workflowId, endpoint, onRotated }: { workflowId: string; endpoint: WebhookEndpoint; onRotated: (shown: ShownSecret) => void }) {
  const queryClient = useQueryClient();
  const refetch = () => void queryClient.invalidateQueries({ queryKey: ["webhooks", workflowId] });
  const param = { id: workflowId, endpointId: endpoint.id };
  const gone = (error: unknown) => {
    if (!isNotFound(error)) return toast.error(failureText(error));
    toast.error("This endpoint no longer exists: it was deleted meanwhile.");
    refetch();
  };

  async function rotate() {
    try {
      const rotated = await read(await api.api.workflows[":id"].webhooks[":endpointId"].rotate.$post({ param }));
      refetch();
      onRotated({ kind: "rotated", url: endpoint.url, secret: rotated.secret, methods: endpoint.methods, previousValidUntil: rotated.previousSecretValidUntil });
    } catch (error) {
      gone(error);
    }
  }
  async function remove() {
    try {
      await read(await api.api.workflows[":id"].webhooks[":endpointId"].$delete({ param }));
      toast.success("Webhook endpoint deleted");
      refetch();
    } catch (error) {
      gone(error);
    }
  }

  return (
    <Card className="p-4">
      <div className="flex flex-col gap-3 lg:flex-row lg:items-start lg:justify-between">
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-1">
            <code className="min-w-0 truncate font-mono text-sm text-stone-900" title={endpoint.url}>
              {endpoint.url}
            </code>
            <CopyButton value={endpoint.url} label="Copy the URL" />
          </div>
          <div className="mt-1.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-stone-500">
            <span className="flex gap-1" aria-label="Methods">
              {endpoint.methods.map((method) => (
                <span key={method} className="rounded bg-stone-100 px-1.5 py-0.5 font-mono text-stone-700">
                  {method}
                </span>
              ))}
            </span>
            <span>
              Created <RelativeTime iso={endpoint.createdAt} />
            </span>
            <span>{endpoint.rotatedAt ? <>Secret rotated <RelativeTime iso={endpoint.rotatedAt} /></> : "Secret never rotated"}</span>
            <span data-testid="webhook-answering">{responseSummary(endpoint)}</span>
          </div>
        </div>
        <div className="flex shrink-0 gap-2">
          <ResponseModeDialog workflowId={workflowId} endpoint={endpoint} />
          <ConfirmDialog
            trigger={
              <Button size="sm">
                <RefreshCw className="size-3.5" aria-hidden /> Rotate secret
              </Button>
            }
            title="Rotate this endpoint's secret?"
            confirmLabel="Rotate secret"
            onConfirm={rotate}
          >
            You get a new secret, shown once. The previous secret keeps working for 24 hours so senders can switch, then stops.
          </ConfirmDialog>
          <ConfirmDialog
            trigger={
              <Button size="sm" className="text-red-700 hover:bg-red-50">
                <Trash2 className="size-3.5" aria-hidden /> Delete
              </Button>
            }
            title="Delete this webhook endpoint?"
            confirmLabel="Delete endpoint"
            onConfirm={remove}
          >
            Calls to <span className="break-all font-mono text-stone-700">{endpoint.url}</span> will answer 404 from now on. Runs it
            already started are kept.
          </ConfirmDialog>
        </div>
      </div>
      <Deliveries endpointId={endpoint.id} />
    </Card>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const runs = useQuery({
    queryKey: ["runs", { triggeredBy: `webhook:${endpointId}`, limit: 5 }],
    queryFn: async () => read(await api.api.runs.$get({ query: { triggeredBy: `webhook:${endpointId}`, limit: "5" } })),
    // Each endpoint polls on its own, out of the person's request budget: every 5 s is enough to see a call land.
    refetchInterval: 5_000,
  });
  return (
    <div className="mt-4 border-t border-stone-100 pt-3" data-testid="webhook-deliveries">
      <h3 className="mb-2 text-xs font-medium uppercase tracking-wide text-stone-500">Last deliveries</h3>
      {runs.isPending ? (
        <Skeleton className="h-6 w-48" />
      ) : !runs.data ? (
        <p className="text-xs text-red-700">Could not load the deliveries: {failureText(runs.error)}</p>
      ) : runs.data.data.length === 0 ? (
        <p className="text-xs text-stone-500">None yet. Each call to this URL starts a run, and it shows up here.</p>
      ) : (
        <ul className="flex flex-wrap gap-2">
          {runs.data.data.map((run) => (
            <li key={run.id}>
              <Link
                href={`/runs/${run.id}`}
                aria-label={`Delivery ${run.id}: ${run.status}`}
                className="inline-flex items-center gap-2 rounded-md border border-stone-200 px-2 py-1 hover:border-stone-300 hover:bg-stone-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                <StatusPill status={run.status} />
                <RelativeTime iso={run.createdAt} className="text-xs text-stone-500" />
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
