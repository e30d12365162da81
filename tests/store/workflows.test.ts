import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCursor, CreatedAtCursorSchema } from "@/lib/store/cursor";
import { getWorkflowVersion, listWorkflowVersionSummaries } from "@/lib/store/workflow-versions";
import { createWorkflow, deleteWorkflow, getWorkflow, listWorkflows, saveWorkflowVersion, updateWorkflowDetails } from "@/lib/store/workflows";
import type { WorkflowDefinition } from "@/lib/engine/model";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const withGreet: WorkflowDefinition = {
  blocks: [{ id: "greet", type: "greet", params: { name: "Ada" } }],
  edges: [],
};

describe("workflow store", () => {
  it("creates a workflow at version 1 with an empty definition and a version row", async () => {
    const wf = await createWorkflow(t.db, "org_a", { name: "First", actor: "user:u1" });
    expect(wf.id).toMatch(/^wf_[a-z0-9]{20}$/);
    expect(wf).toMatchObject({ name: "First", description: "", version: 1, definition: { blocks: [], edges: [] } });
    const versions = await listWorkflowVersionSummaries(t.db, "org_a", wf.id, { limit: 10 });
    expect(versions?.data.map((v) => [v.version, v.source, v.actor])).toEqual([[1, "create", "user:u1"]]);
  });

  it("never returns a workflow to another organization", async () => {
    const wf = await createWorkflow(t.db, "org_a", { actor: "user:u1" });
    expect(await getWorkflow(t.db, "org_b", wf.id)).toBeNull();
    expect((await listWorkflows(t.db, "org_b", { limit: 50 })).data.find((w) => w.id === wf.id)).toBeUndefined();
    expect(await listWorkflowVersionSummaries(t.db, "org_b", wf.id, { limit: 10 })).toBeNull();
    expect(await getWorkflowVersion(t.db, "org_b", wf.id, 1)).toBeNull();
    const save = await saveWorkflowVersion(t.db, "org_b", wf.id, { expectedVersion: 1, definition: withGreet, ops: [], actor: "user:x" });
    expect(save).toEqual({ ok: false, reason: "not_found" });
    expect(await deleteWorkflow(t.db, "org_b", wf.id)).toEqual({ ok: false, reason: "not_found" });
    expect((await getWorkflow(t.db, "org_a", wf.id))?.version).toBe(1);
  });

  it("saves a new version only when the expected version is current", async () => {
    const wf = await createWorkflow(t.db, "org_a", { actor: "user:u1" });
    const first = await saveWorkflowVersion(t.db, "org_a", wf.id, { expectedVersion: 1, definition: withGreet, ops: [], actor: "api_key:k1" });
    expect(first.ok && first.workflow.version).toBe(2);
    const stale = await saveWorkflowVersion(t.db, "org_a", wf.id, { expectedVersion: 1, definition: { blocks: [], edges: [] }, ops: [], actor: "api_key:k1" });
    expect(stale).toEqual({ ok: false, reason: "version_mismatch", current: 2 });
    const stored = await getWorkflow(t.db, "org_a", wf.id);
    expect(stored?.definition).toEqual(withGreet);
    expect((await getWorkflowVersion(t.db, "org_a", wf.id, 2))?.actor).toBe("api_key:k1");
  });

  it("lets exactly one of 20 concurrent writers with the same expected version win", async () => {
    const wf = await createWorkflow(t.db, "org_a", { actor: "user:u1" });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        saveWorkflowVersion(t.db, "org_a", wf.id, {
          expectedVersion: 1,
          definition: { blocks: [{ id: `b${i}`, type: "greet", params: { name: String(i) } }], edges: [] },
          ops: [],
          actor: `user:${i}`,
        }),
      ),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === "version_mismatch")).toBe(true);
    const versions = await listWorkflowVersionSummaries(t.db, "org_a", wf.id, { limit: 50 });
    expect(versions?.data.map((v) => v.version)).toEqual([2, 1]);
  });

  it("pages newest first with opaque cursors and loses no row created in the same millisecond", async () => {
    const org = "org_paging";
    const created = [];
    for (let i = 0; i < 7; i++) created.push(await createWorkflow(t.db, org, { name: `wf ${i}`, actor: "system" }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listWorkflows>> = await listWorkflows(t.db, org, {
        limit: 3,
        after: cursor ? decodeCursor(cursor, CreatedAtCursorSchema) : null,
      });
      seen.push(...page.data.map((w) => w.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse().map((w) => w.id));
  });

  it("soft-deletes: reads answer not found, the row stays", async () => {
    const wf = await createWorkflow(t.db, "org_a", { actor: "user:u1" });
    expect((await deleteWorkflow(t.db, "org_a", wf.id)).ok).toBe(true);
    expect(await getWorkflow(t.db, "org_a", wf.id)).toBeNull();
    expect(await deleteWorkflow(t.db, "org_a", wf.id)).toEqual({ ok: false, reason: "not_found" });
    const [row] = await t.sql`select deleted_at from workflows where id = ${wf.id}`;
    expect(row.deleted_at).not.toBeNull();
  });

  it("renames without changing the version, honouring the expected version", async () => {
    const wf = await createWorkflow(t.db, "org_a", { actor: "user:u1" });
    const renamed = await updateWorkflowDetails(t.db, "org_a", wf.id, { name: "Renamed", description: "d", expectedVersion: 1 });
    expect(renamed.ok && [renamed.workflow.name, renamed.workflow.description, renamed.workflow.version]).toEqual(["Renamed", "d", 1]);
    expect(await updateWorkflowDetails(t.db, "org_a", wf.id, { name: "x", expectedVersion: 5 })).toEqual({
      ok: false,
      reason: "version_mismatch",
      current: 1,
    });
  });

  it("stores unicode and prototype-looking keys in definitions verbatim", async () => {
    const definition = {
      blocks: [{ id: "greet", type: "greet", params: { name: "Zoë 🚀 {{trg.body.name}}" } }],
      edges: [],
      variables: { constructor: "kept as data" },
    } satisfies WorkflowDefinition;
    const wf = await createWorkflow(t.db, "org_a", { definition, actor: "user:u1" });
    expect((await getWorkflow(t.db, "org_a", wf.id))?.definition).toEqual(definition);
  });
});
