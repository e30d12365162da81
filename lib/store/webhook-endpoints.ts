/**
 * Webhook endpoint store (docs/runs.md, "Inbound webhooks"). Management functions take the
 * organization and the workflow and filter on both, so another organization's endpoint is simply
 * "not found". `InboundEndpointCache` makes the one lookup by id alone: the inbound route does not know
 * the tenant until the endpoint tells it, and the caller must still prove it holds the endpoint's
 * secret.
 *
 * Secrets are encrypted before they reach the database and decrypted only for verification; they
 * are returned to a client once, by `createWebhookEndpoint` and `rotateWebhookEndpointSecret`.
 */
import type postgres from "postgres";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { webhookEndpoints } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/secrets";
import { newWebhookEndpointId, newWebhookSecret, SECRET_ROTATION_GRACE_MS, webhookSecretBinding } from "@/lib/webhooks/secret";
import type { CreatedAtCursor } from "./cursor";
import { keysetPage, newestFirst, type Page, type PageRequest } from "./pages";
import type { RunFence } from "./runs";
import type { RotatedWebhookSecret, WebhookEndpoint, WebhookMethod, WebhookResponseMode } from "@/lib/resources/webhook-endpoint";
import type { Workflow } from "@/lib/resources/workflow";
import type { WorkflowDefinition } from "@/lib/engine/model";

/**
 * An endpoint as the management API shows it (never its secret), with its workflow; the API adds
 * the `url`, which depends on where the app is served.
 */
export type WebhookEndpointInfo = Omit<WebhookEndpoint, "url"> & { workflowId: string };

/** What the inbound route needs: the tenant, the workflow, the methods, how to answer, and the valid secrets. */
export interface InboundEndpoint {
  id: string;
  organizationId: string;
  workflowId: string;
  methods: WebhookMethod[];
  responseMode: WebhookResponseMode;
  waitSeconds: number;
  /** The current secret, then the previous one while its grace period lasts. */
  secrets: string[];
  /** The endpoint's workflow as a run pins it (read in the same query). */
  workflow: Pick<Workflow, "id" | "version" | "definition">;
}

type EndpointRow = typeof webhookEndpoints.$inferSelect;

function toInfo(row: EndpointRow): WebhookEndpointInfo {
  return {
    id: row.id,
    workflowId: row.workflowId,
    methods: row.methods as WebhookMethod[],
    responseMode: row.responseMode as WebhookResponseMode,
    waitSeconds: row.waitSeconds,
    createdAt: row.createdAt.toISOString(),
    rotatedAt: row.rotatedAt?.toISOString() ?? null,
  };
}

/** Creates an endpoint for the workflow (checked by the caller); returns it and its new secret. */
export async function createWebhookEndpoint(
  db: Database,
  key: Buffer,
  organizationId: string,
  input: { workflowId: string; methods: WebhookMethod[]; responseMode: WebhookResponseMode; waitSeconds: number; actor: string },
): Promise<{ endpoint: WebhookEndpointInfo; secret: string }> {
  const id = newWebhookEndpointId();
  const secret = newWebhookSecret();
  const [row] = await db
    .insert(webhookEndpoints)
    .values({
      id,
      organizationId,
      workflowId: input.workflowId,
      methods: input.methods,
      responseMode: input.responseMode,
      waitSeconds: input.waitSeconds,
      secretCiphertext: encryptSecret(key, webhookSecretBinding(organizationId, id), secret),
      createdBy: input.actor,
    })
    .returning();
  return { endpoint: toInfo(row), secret };
}

/** One page of the workflow's live endpoints, newest first. */
export async function listWebhookEndpoints(
  db: Database,
  organizationId: string,
  workflowId: string,
  page: PageRequest<CreatedAtCursor>,
): Promise<Page<WebhookEndpointInfo>> {
  return keysetPage(db.select().from(webhookEndpoints).$dynamic(), {
    where: and(
      eq(webhookEndpoints.organizationId, organizationId),
      eq(webhookEndpoints.workflowId, workflowId),
      isNull(webhookEndpoints.deletedAt),
    ),
    order: newestFirst(webhookEndpoints),
    page,
    toItem: toInfo,
  });
}

const liveEndpoint = (organizationId: string, workflowId: string, endpointId: string) =>
  and(
    eq(webhookEndpoints.id, endpointId),
    eq(webhookEndpoints.organizationId, organizationId),
    eq(webhookEndpoints.workflowId, workflowId),
    isNull(webhookEndpoints.deletedAt),
  );

/** Changes the endpoint's methods and how it answers (only the fields given); null when there is no such live endpoint. */
export async function updateWebhookEndpoint(
  db: Database,
  organizationId: string,
  workflowId: string,
  endpointId: string,
  patch: { methods?: WebhookMethod[]; responseMode?: WebhookResponseMode; waitSeconds?: number },
): Promise<WebhookEndpointInfo | null> {
  const set = {
    ...(patch.methods && { methods: patch.methods }),
    ...(patch.responseMode && { responseMode: patch.responseMode }),
    ...(patch.waitSeconds !== undefined && { waitSeconds: patch.waitSeconds }),
  };
  if (Object.keys(set).length === 0) {
    const [row] = await db.select().from(webhookEndpoints).where(liveEndpoint(organizationId, workflowId, endpointId));
    return row ? toInfo(row) : null;
  }
  const [row] = await db.update(webhookEndpoints).set(set).where(liveEndpoint(organizationId, workflowId, endpointId)).returning();
  return row ? toInfo(row) : null;
}

/** Soft-deletes the endpoint (its URL answers 404 from now on); false when there is no such live endpoint. */
export async function deleteWebhookEndpoint(db: Database, organizationId: string, workflowId: string, endpointId: string): Promise<boolean> {
  const rows = await db
    .update(webhookEndpoints)
    .set({ deletedAt: sql`now()` })
    .where(liveEndpoint(organizationId, workflowId, endpointId))
    .returning({ id: webhookEndpoints.id });
  return rows.length > 0;
}

/**
 * Replaces the endpoint's secret with a new one, in one statement: the current secret becomes
 * the previous one, valid for SECRET_ROTATION_GRACE_MS; an older previous secret is dropped.
 * Null when there is no such live endpoint.
 */
export async function rotateWebhookEndpointSecret(
  db: Database,
  key: Buffer,
  organizationId: string,
  workflowId: string,
  endpointId: string,
): Promise<RotatedWebhookSecret | null> {
  const secret = newWebhookSecret();
  const ciphertext = encryptSecret(key, webhookSecretBinding(organizationId, endpointId), secret);
  // In an UPDATE, the right-hand sides read the row as it was, so the old secret moves over.
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      previousSecretCiphertext: sql`${webhookEndpoints.secretCiphertext}`,
      secretCiphertext: ciphertext,
      previousSecretExpiresAt: sql`now() + make_interval(secs => ${SECRET_ROTATION_GRACE_MS / 1000})`,
      rotatedAt: sql`now()`,
    })
    .where(liveEndpoint(organizationId, workflowId, endpointId))
    .returning({ id: webhookEndpoints.id, expiresAt: webhookEndpoints.previousSecretExpiresAt });
  if (!row?.expiresAt) return null;
  return { id: row.id, secret, previousSecretValidUntil: row.expiresAt.toISOString() };
}

/** An endpoint as read, with what a cache needs to keep it: its rows' stamp and how long its previous secret stays valid. */
interface ReadEndpoint {
  endpoint: InboundEndpoint;
  /** The versions of the endpoint's and its workflow's rows (`xmin`): any change to either changes it. */
  stamp: string;
  /** Milliseconds the previous secret stays valid, by the database clock; null without one. */
  previousValidMs: number | null;
}

/**
 * The live endpoint `endpointId` of a live workflow, with its valid secrets decrypted; null when
 * the endpoint is unknown or deleted, or its workflow is deleted. Throws SecretDecryptionError
 * when a stored secret does not decrypt under `key` (a misconfigured key, not bad input).
 */
async function readInboundEndpoint(pool: postgres.Sql, key: Buffer, endpointId: string): Promise<ReadEndpoint | null> {
  // postgres.js, not drizzle: every uncached inbound call sends this, and building it per call was a
  // tenth of the web process's CPU per webhook (README, "Benchmarks"). The database clock decides
  // whether the previous secret is still valid, like it did when rotation set the expiry.
  const [row] = await pool<InboundEndpointRow[]>`
    SELECT e.id, e.organization_id, e.workflow_id, e.methods, e.response_mode, e.wait_seconds, e.secret_ciphertext,
      CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret_ciphertext END AS previous_secret_ciphertext,
      CASE WHEN e.previous_secret_expires_at > now() THEN floor(extract(epoch FROM e.previous_secret_expires_at - now()) * 1000)::float8 END AS previous_valid_ms,
      e.xmin::text || ':' || w.xmin::text AS stamp,
      w.version, w.definition
    FROM webhook_endpoints e
    JOIN workflows w ON w.id = e.workflow_id AND w.organization_id = e.organization_id
    WHERE e.id = ${endpointId} AND e.deleted_at IS NULL AND w.deleted_at IS NULL`;
  if (!row) return null;
  const binding = webhookSecretBinding(row.organization_id, row.id);
  const secrets = [decryptSecret(key, binding, row.secret_ciphertext)];
  if (row.previous_secret_ciphertext) secrets.push(decryptSecret(key, binding, row.previous_secret_ciphertext));
  const endpoint: InboundEndpoint = {
    id: row.id,
    organizationId: row.organization_id,
    workflowId: row.workflow_id,
    methods: row.methods as WebhookMethod[],
    responseMode: row.response_mode as WebhookResponseMode,
    waitSeconds: row.wait_seconds,
    secrets,
    workflow: { id: row.workflow_id, version: row.version, definition: row.definition },
  };
  return { endpoint, stamp: row.stamp, previousValidMs: row.previous_secret_ciphertext ? row.previous_valid_ms : null };
}

/**
 * How long an endpoint stays cached, how many at most, and how many bytes of workflow definitions
 * (as JSON) all of them may hold: one larger than `maxDefinitionBytes` is not cached (docs/runs.md,
 * "Inbound webhooks").
 */
export const ENDPOINT_CACHE = { ttlMs: 60_000, maxEntries: 5_000, maxBytes: 32 * 1024 * 1024, maxDefinitionBytes: 256 * 1024 };
/** A cached previous secret is dropped this long before the database says it expires. */
const PREVIOUS_SECRET_MARGIN_MS = 1_000;

/** An endpoint to serve a call with: where it came from, and the fence its run's INSERT checks. */
export interface ServedEndpoint {
  endpoint: InboundEndpoint;
  /** From the cache: a refusal it leads to (a method, the credentials) must be checked against a fresh read first. */
  cached: boolean;
  /** Holds while the endpoint and its workflow are live and unchanged since this read (`RunFence`). */
  fence: RunFence;
}

/**
 * Inbound endpoints kept in this process, so a call to a known endpoint needs no read before its
 * run's INSERT: the INSERT itself checks, in the same statement, that neither the endpoint nor its
 * workflow changed or was deleted since the read (the fence, by the rows' `xmin`); when they did,
 * it stores nothing and the caller reads again (`forget`, then `get`). A refusal that a stale entry
 * could cause (a method no longer refused, a rotated secret) is checked against a fresh read too
 * (the route's part). Entries last ENDPOINT_CACHE.ttlMs, within its count and byte bounds (the
 * oldest go first); a previous secret is dropped before its grace period ends by the database
 * clock. Unknown endpoints are never cached.
 */
export class InboundEndpointCache {
  private readonly entries = new Map<string, { read: ReadEndpoint; readAt: number; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly pool: postgres.Sql,
    private readonly key: Buffer,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The endpoint from the cache when `fresh` is false and it holds it, else read (and cached); null when it is not live. */
  async get(endpointId: string, options: { fresh: boolean }): Promise<ServedEndpoint | null> {
    const now = this.now();
    const held = options.fresh ? undefined : this.entries.get(endpointId);
    if (held && now - held.readAt < ENDPOINT_CACHE.ttlMs) {
      const { endpoint, previousValidMs } = held.read;
      const previousValid = previousValidMs !== null && now - held.readAt < previousValidMs - PREVIOUS_SECRET_MARGIN_MS;
      const secrets = previousValid || endpoint.secrets.length < 2 ? endpoint.secrets : endpoint.secrets.slice(0, 1);
      return { endpoint: { ...endpoint, secrets }, cached: true, fence: unchangedEndpoint(endpointId, held.read.stamp) };
    }
    this.forget(endpointId);
    const read = await readInboundEndpoint(this.pool, this.key, endpointId);
    if (!read) return null;
    const bytes = JSON.stringify(read.endpoint.workflow.definition).length;
    if (bytes <= ENDPOINT_CACHE.maxDefinitionBytes) {
      // Oldest first (a Map iterates in insertion order) until the new one fits.
      for (const oldest of this.entries.keys()) {
        if (this.entries.size < ENDPOINT_CACHE.maxEntries && this.bytes + bytes <= ENDPOINT_CACHE.maxBytes) break;
        this.forget(oldest);
      }
      this.entries.set(endpointId, { read, readAt: now, bytes });
      this.bytes += bytes;
    }
    return { endpoint: read.endpoint, cached: false, fence: unchangedEndpoint(endpointId, read.stamp) };
  }

  /** Drops the endpoint (its fence failed: it changed). */
  forget(endpointId: string): void {
    const held = this.entries.get(endpointId);
    if (!held) return;
    this.entries.delete(endpointId);
    this.bytes -= held.bytes;
  }

  /** How many endpoints are held, and their definitions' bytes (for tests). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }
}

/** The fence of a run started from an endpoint read with `stamp`: the endpoint and its workflow are live and unchanged. */
function unchangedEndpoint(endpointId: string, stamp: string): RunFence {
  return (sql) => sql`EXISTS (
    SELECT 1 FROM webhook_endpoints e JOIN workflows w ON w.id = e.workflow_id AND w.organization_id = e.organization_id
    WHERE e.id = ${endpointId} AND e.deleted_at IS NULL AND w.deleted_at IS NULL AND e.xmin::text || ':' || w.xmin::text = ${stamp})`;
}

interface InboundEndpointRow {
  id: string;
  organization_id: string;
  workflow_id: string;
  methods: string[];
  response_mode: string;
  wait_seconds: number;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_valid_ms: number | null;
  stamp: string;
  version: number;
  definition: WorkflowDefinition;
}
