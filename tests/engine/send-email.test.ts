/**
 * send_email's params without a server (docs/connectors.md, "send_email"): how addresses are read,
 * what the validator reports while a workflow is edited (literal values; templated ones wait for
 * the run), the codes the runtime fails a block with once templates are resolved, and the host
 * check every outbound connection goes through. Sending is tested in tests/runtime/send-email*.
 */
import { describe, expect, it } from "vitest";
import { connectorRegistry } from "@/lib/connectors";
import { applyEditOps } from "@/lib/engine/apply-edit-ops";
import { emptyDefinition } from "@/lib/engine/model";
import { checkHost } from "@/lib/net/host-guard";
import { parseMailboxes } from "@/lib/net/mailbox";
import { validateParams } from "@/lib/runtime/block-attempt";

const sendEmail = connectorRegistry.get("send_email")!;
const valid = { host: "smtp.example.com", from: "alerts@example.com", to: "ada@example.com", subject: "Hi", text: "Hello" };

describe("addresses", () => {
  it("reads one address, a display name, a quoted name with a comma, a comma-separated string and a list", () => {
    expect(parseMailboxes("ada@example.com")).toEqual({ mailboxes: [{ address: "ada@example.com" }] });
    expect(parseMailboxes("<ada@example.com>")).toEqual({ mailboxes: [{ address: "ada@example.com" }] });
    expect(parseMailboxes("Ada Lovelace <ada@example.com>")).toEqual({ mailboxes: [{ name: "Ada Lovelace", address: "ada@example.com" }] });
    expect(parseMailboxes('"Lovelace, Ada" <ada@example.com>, grace@example.org')).toEqual({
      mailboxes: [{ name: "Lovelace, Ada", address: "ada@example.com" }, { address: "grace@example.org" }],
    });
    expect(parseMailboxes(["ada@example.com, bob@example.com", "Grace <grace@bücher.example>"])).toEqual({
      mailboxes: [{ address: "ada@example.com" }, { address: "bob@example.com" }, { name: "Grace", address: "grace@bücher.example" }],
    });
  });

  it.each([
    ["ada@@example.com"],
    ["ada@example"],
    ["ada example.com"],
    ["ada@[127.0.0.1]"],
    ["ada@10.0.0.1"],
    ["Ada <ada@example.com"],
    [`${"a".repeat(65)}@example.com`],
    [`ada@${"b".repeat(250)}.com`],
  ])("refuses %j as invalid_address, naming it", (value) => {
    const parsed = parseMailboxes(value);
    expect(parsed).toMatchObject({ problem: { code: "invalid_address" } });
    if ("problem" in parsed) expect(parsed.problem.message).toContain(JSON.stringify(value).slice(0, 40));
  });

  it("refuses a line break or any control character as invalid_header, and says which list entry", () => {
    expect(parseMailboxes("ada@example.com\r\nBcc: victim@example.com")).toMatchObject({ problem: { code: "invalid_header" } });
    expect(parseMailboxes("Ada\n <ada@example.com>")).toMatchObject({ problem: { code: "invalid_header" } });
    expect(parseMailboxes(["ok@example.com", "x@example.com\u0000"])).toMatchObject({ problem: { code: "invalid_header" }, index: 1 });
    expect(parseMailboxes(["ok@example.com", "x@example.com\u2028"])).toMatchObject({ problem: { code: "invalid_header" }, index: 1 });
  });
});

describe("validation while editing", () => {
  /** The validation errors of a workflow trigger → send_email with `params`: [code, field, error]. */
  function errors(params: Record<string, unknown>): [string, string | undefined, string][] {
    const result = applyEditOps(
      emptyDefinition(),
      [
        { operation_type: "add", block_id: "trg", type: "trigger_webhook" },
        { operation_type: "add", block_id: "mail", type: "send_email", params },
        { operation_type: "connect", block_id: "trg", target_block_id: "mail" },
      ],
      connectorRegistry,
      { actor: "api_key" },
    );
    expect(result.skipped).toEqual([]);
    return result.validationErrors.map((e) => [e.code, e.field, e.error]);
  }

  it("a complete message validates, with addresses, subject and body from templates", () => {
    expect(errors(valid)).toEqual([]);
    expect(errors({ ...valid, from: "{{trg.body.from}}", to: "{{trg.body.to}}", cc: ["{{trg.body.cc}}"], subject: "{{trg.body.subject}}" })).toEqual([]);
  });

  it("a literal bad address is invalid_param on its field, naming the address", () => {
    expect(errors({ ...valid, to: ["ada@example.com", "bob@@example.com"] })).toEqual([
      ["invalid_param", "to.1", expect.stringContaining('"bob@@example.com" is not an email address')],
    ]);
    expect(errors({ ...valid, from: "a@example.com, b@example.com" })).toEqual([["invalid_param", "from", expect.stringContaining("give one address, not 2")]]);
  });

  it("a literal line break in the subject is invalid_param: header injection is refused while editing", () => {
    expect(errors({ ...valid, subject: "Hi\r\nBcc: victim@example.com" })).toEqual([
      ["invalid_param", "subject", expect.stringContaining("line break")],
    ]);
  });

  it("neither text nor html: missing_required_param on text, whose description says html will do", () => {
    expect(errors({ ...valid, text: undefined })).toEqual([["missing_required_param", "text", expect.stringContaining("Give text, html or both")]]);
    expect(errors({ ...valid, text: undefined, html: "<p>Hi</p>" })).toEqual([]);
  });

  it("a user without a password, or a password without a user, names the missing one", () => {
    expect(errors({ ...valid, user: "apikey" })).toEqual([["missing_required_param", "password", expect.any(String)]]);
    expect(errors({ ...valid, password: "{{secrets.SMTP_PASSWORD}}" })).toEqual([["missing_required_param", "user", expect.any(String)]]);
  });

  it.each(["smtp://smtp.example.com", "smtp.example.com:587", "smtp example.com"])("host %j is invalid_param saying to give the name alone", (host) => {
    expect(errors({ ...valid, host })).toEqual([["invalid_param", "host", expect.stringContaining("the port goes in port")]]);
  });

  it("more than 50 literal recipients in to, cc and bcc together is invalid_param", () => {
    const many = Array.from({ length: 26 }, (_, i) => `r${i}@example.com`);
    expect(errors({ ...valid, to: many, cc: many })).toEqual([["invalid_param", "to", expect.stringContaining("52 recipients")]]);
  });

  it("allow_private_network is operator configuration: no workflow may set it", () => {
    const result = applyEditOps(
      emptyDefinition(),
      [{ operation_type: "add", block_id: "mail", type: "send_email", params: { ...valid, allow_private_network: true } }],
      connectorRegistry,
      { actor: "api_key" },
    );
    expect(result.skipped.map((s) => s.reason_code)).toEqual(["hidden_param_in_input"]);
  });
});

describe("the code a block fails with after templates are resolved", () => {
  it.each([
    [{ to: "bob@@example.com" }, "invalid_address"],
    [{ subject: "Hi\nBcc: x@example.com" }, "invalid_header"],
    [{ cc: ["ok@example.com", "a\r\nb@example.com"] }, "invalid_header"],
    [{ port: "25" }, "invalid_param"],
  ])("%j fails with %s", (bad, code) => {
    expect(() => validateParams(sendEmail, { ...valid, ...bad })).toThrow(expect.objectContaining({ code }));
  });
});

describe("the host check", () => {
  it("refuses loopback by default, names the address a name resolves to, and refuses cloud metadata even when private networks are allowed", async () => {
    expect(await checkHost("127.0.0.1", { allowPrivateNetwork: false })).toMatchObject({ ok: false, code: "ssrf_blocked", reason: "127.0.0.1 is a loopback address" });
    expect(await checkHost("localhost", { allowPrivateNetwork: false })).toMatchObject({ ok: false, code: "ssrf_blocked", reason: expect.stringMatching(/^localhost resolves to .*loopback/) });
    expect(await checkHost("[::1]", { allowPrivateNetwork: false })).toMatchObject({ ok: false, code: "ssrf_blocked" });
    expect(await checkHost("169.254.169.254", { allowPrivateNetwork: true })).toMatchObject({ ok: false, code: "ssrf_blocked", metadata: true });
    expect(await checkHost("127.0.0.1", { allowPrivateNetwork: true })).toEqual({ ok: true, addresses: [{ address: "127.0.0.1", family: 4 }] });
    expect(await checkHost("203.0.113.9", { allowPrivateNetwork: false })).toMatchObject({ ok: false, reason: "203.0.113.9 is a documentation address" });
  });
});
