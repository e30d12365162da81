import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workflows } from "@/db/schema";
import { CreatedAtCursorSchema, decodeCursor, type CreatedAtCursor } from "@/lib/store/cursor";
import { pageOf, type Page } from "@/lib/store/pages";
import { listRuns, openRunStorePool } from "@/lib/store/runs";
import { listWorkflows } from "@/lib/store/workflows";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let t: TestDatabase;
let runSql: postgres.Sql;
beforeAll(async () => {
  t = await createTestDatabase();
  runSql = openRunStorePool(t.url, 2);
});
afterAll(async () => {
  await runSql?.end();
  await t?.drop();
});

// Three rows share T1 and three share T2: only the id orders them within a millisecond. The ids
// are inserted out of order, so insertion order cannot stand in for the keyset.
const T1 = new Date("2025-03-01T10:00:00.123Z");
const T2 = new Date("2025-03-01T10:00:00.124Z");
const T3 = new Date("2025-03-01T10:00:01.000Z");
const ROWS: { id: string; createdAt: Date }[] = [
  { id: "x_b", createdAt: T1 },
  { id: "x_e", createdAt: T2 },
  { id: "x_a", createdAt: T1 },
  { id: "x_g", createdAt: T3 },
  { id: "x_c", createdAt: T1 },
  { id: "x_f", createdAt: T2 },
  { id: "x_d", createdAt: T2 },
];
/** created_at desc, id desc. */
const NEWEST_FIRST = ["x_g", "x_f", "x_e", "x_d", "x_c", "x_b", "x_a"];

/** Every id of a list, following nextCursor from the first page. */
async function pageThrough(list: (after: CreatedAtCursor | null) => Promise<Page<{ id: string }>>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: CreatedAtCursor | null = null;
  for (let pages = 1; pages <= 20; pages++) {
    const page = await list(after);
    ids.push(...page.data.map((row) => row.id));
    if (page.nextCursor === null) return { ids, pages };
    after = decodeCursor(page.nextCursor, CreatedAtCursorSchema);
    expect(after).not.toBeNull();
  }
  throw new Error("no last page after 20");
}

describe("keyset pages", () => {
  it("pages a drizzle list through ties on created_at without skipping or repeating a row", async () => {
    const org = "org_ties";
    await t.db.insert(workflows).values(
      ROWS.map((row) => ({ ...row, organizationId: org, name: row.id, definition: { blocks: [], edges: [] }, updatedAt: row.createdAt })),
    );
    for (const limit of [1, 2, 3, 7, 50]) {
      const { ids, pages } = await pageThrough(async (after) => listWorkflows(t.db, org, { limit, after }));
      expect(ids, `limit ${limit}`).toEqual(NEWEST_FIRST);
      expect(pages, `limit ${limit}`).toBe(Math.max(1, Math.ceil(ROWS.length / limit)));
    }
  });

  it("pages the raw-SQL run list the same way", async () => {
    const org = "org_run_ties";
    for (const row of ROWS) {
      await runSql`
        INSERT INTO runs (id, organization_id, workflow_id, workflow_version, definition, trigger, input, created_at)
        VALUES (${row.id}, ${org}, 'wf_x', 1, ${runSql.json({ blocks: [], edges: [] })}, 'api', ${runSql.json({})}, ${row.createdAt})`;
    }
    for (const limit of [1, 2, 3, 7, 50]) {
      const { ids } = await pageThrough(async (after) => listRuns(runSql, org, { limit, after }));
      expect(ids, `limit ${limit}`).toEqual(NEWEST_FIRST);
    }
  });

  it("encodes the cursor as before: base64url of {\"t\":…,\"id\":…} from the page's last row", async () => {
    const page = await listWorkflows(t.db, "org_ties", { limit: 2 });
    const expected = Buffer.from(`{"t":"${T2.toISOString()}","id":"x_f"}`, "utf8").toString("base64url");
    expect(page.nextCursor).toBe(expected);
  });

  it("pageOf: the extra row only says a next page exists", () => {
    const cursorOf = (row: number) => ({ n: row });
    expect(pageOf([1, 2, 3], 3, cursorOf, String)).toEqual({ data: ["1", "2", "3"], nextCursor: null });
    const more = pageOf([1, 2, 3, 4], 3, cursorOf, String);
    expect(more.data).toEqual(["1", "2", "3"]);
    expect(more.nextCursor).toBe(Buffer.from('{"n":3}').toString("base64url"));
    expect(pageOf([], 3, cursorOf, String)).toEqual({ data: [], nextCursor: null });
  });
});
