/**
 * Members and invitations through better-auth's organization routes (docs/architecture.md, "Tenancy and auth"): invite (the
 * invitation id is the shareable link), accept, change role, remove — with Weft's roles enforced
 * on its own routes as the membership changes.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";

let app: TestApp;
let owner: TestUser;
let teammate: TestUser;
let memberId: string;

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app, { name: "Owner" });
  teammate = await signUp(app, { name: "Teammate" });
});

afterAll(async () => {
  await app?.close();
});

async function invite(by: TestUser, email: string, role: string) {
  return call(app, "POST", "/api/auth/organization/invite-member", { headers: by.bearer, body: { email, role } });
}

async function accept(by: TestUser, invitationId: string) {
  return call(app, "POST", "/api/auth/organization/accept-invitation", { headers: by.bearer, body: { invitationId } });
}

async function setActive(by: TestUser, organizationId: string) {
  return call(app, "POST", "/api/auth/organization/set-active", { headers: by.bearer, body: { organizationId } });
}

// The steps below build on each other, in order: one team's life from invitation to removal.

test("an owner invites by email and gets an invitation id to share as a link", async () => {
  const invited = await invite(owner, teammate.email, "member");
  expect(invited.status).toBe(200);
  expect(invited.body).toMatchObject({ id: expect.any(String), email: teammate.email, role: "member", status: "pending", organizationId: owner.organizationId });
  const pending = await app.database.sql`select status from invitation where id = ${invited.body.id}`;
  expect(pending).toEqual([{ status: "pending" }]);

  const accepted = await accept(teammate, invited.body.id);
  expect(accepted.status).toBe(200);
  memberId = accepted.body.member.id;
});

test("accepting makes the inviting organization active for the invitee, as a member", async () => {
  const me = await call(app, "GET", "/api/me", { headers: teammate.bearer });
  expect(me.status).toBe(200);
  expect(me.body.organization.id).toBe(owner.organizationId);
  expect(me.body.role).toBe("member");
  expect(me.body.user.id).toBe(teammate.userId);
});

test("someone else cannot accept an invitation addressed to another email", async () => {
  const invited = await invite(owner, "someone-else@example.com", "member");
  const stranger = await signUp(app);
  const accepted = await accept(stranger, invited.body.id);
  expect(accepted.status).toBe(403);
  const me = await call(app, "GET", "/api/me", { headers: stranger.bearer });
  expect(me.body.organization.id).toBe(stranger.organizationId);
});

test("a member cannot invite, change roles or manage keys (403)", async () => {
  const invited = await invite(teammate, "friend@example.com", "member");
  expect(invited.status).toBe(403);
  const promoted = await call(app, "POST", "/api/auth/organization/update-member-role", {
    headers: teammate.bearer,
    body: { memberId, role: "owner" },
  });
  expect(promoted.status).toBe(403);
  for (const [method, path, body] of [
    ["POST", "/api/keys", { name: "sneaky" }],
    ["GET", "/api/keys", undefined],
    ["DELETE", "/api/keys/anything", undefined],
  ] as const) {
    const response = await call(app, method, path, { headers: teammate.bearer, body });
    expect(response.status, `${method} ${path}`).toBe(403);
    expect(response.body.error).toBe("forbidden");
  }
  expect((await call(app, "GET", "/api/me", { headers: teammate.bearer })).body.role).toBe("member");
});

test("after the owner makes them admin, they can create keys for the organization", async () => {
  const updated = await call(app, "POST", "/api/auth/organization/update-member-role", {
    headers: owner.bearer,
    body: { memberId, role: "admin" },
  });
  expect(updated.status).toBe(200);
  expect((await call(app, "GET", "/api/me", { headers: teammate.bearer })).body.role).toBe("admin");
  const created = await call(app, "POST", "/api/keys", { headers: teammate.bearer, body: { name: "admin's key" } });
  expect(created.status).toBe(201);
  const me = await call(app, "GET", "/api/me", { headers: { "x-api-key": created.body.key } });
  expect(me.body.organization.id).toBe(owner.organizationId);
  // The key belongs to the organization: the owner sees and can revoke it.
  const list = await call(app, "GET", "/api/keys", { headers: owner.bearer });
  expect(list.body.data.map((k: { id: string }) => k.id)).toContain(created.body.id);
});

test("once removed, the former member's session gets 401 no_active_organization; org keys keep working", async () => {
  const keyByOwner = await call(app, "POST", "/api/keys", { headers: owner.bearer, body: { name: "stays" } });
  const removed = await call(app, "POST", "/api/auth/organization/remove-member", {
    headers: owner.bearer,
    body: { memberIdOrEmail: teammate.email },
  });
  expect(removed.status).toBe(200);
  for (const headers of [teammate.bearer, { cookie: teammate.cookie }]) {
    const me = await call(app, "GET", "/api/me", { headers });
    expect(me.status).toBe(401);
    expect(me.body.error).toBe("no_active_organization");
  }
  const mint = await call(app, "POST", "/api/keys", { headers: teammate.bearer, body: { name: "after removal" } });
  expect(mint.status).toBe(401);
  expect((await call(app, "GET", "/api/me", { headers: { "x-api-key": keyByOwner.body.key } })).status).toBe(200);

  // Their personal organization is still theirs: switching back works.
  const switched = await setActive(teammate, teammate.organizationId);
  expect(switched.status).toBe(200);
  const me = await call(app, "GET", "/api/me", { headers: teammate.bearer });
  expect(me.status).toBe(200);
  expect(me.body.organization.id).toBe(teammate.organizationId);
  expect(me.body.role).toBe("owner");
});

test("naming another organization in set-active is refused and never lets the user act in it", async () => {
  const outsider = await signUp(app);
  const switched = await setActive(outsider, owner.organizationId);
  expect(switched.status).toBe(403);
  // better-auth clears the session's active organization on such an attempt (fail closed).
  const me = await call(app, "GET", "/api/me", { headers: outsider.bearer });
  expect(me.status).toBe(401);
  expect(me.body.error).toBe("no_active_organization");
  const back = await setActive(outsider, outsider.organizationId);
  expect(back.status).toBe(200);
  expect((await call(app, "GET", "/api/me", { headers: outsider.bearer })).body.organization.id).toBe(outsider.organizationId);
});
