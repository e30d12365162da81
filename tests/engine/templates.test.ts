import { describe, expect, it } from "vitest";
import {
  findReferences,
  hasTemplate,
  redactSecrets,
  resolveTemplates,
  resolveTemplatesWithSecrets,
  type TemplateScope,
} from "@/lib/engine/templates";

const secrets = new Map([
  ["API_KEY", "sk-live-123"],
  ["TOKEN", "tok_abc"],
  ["EMPTY", ""],
]);

function makeScope(overrides: Partial<TemplateScope> = {}): TemplateScope {
  return {
    trigger: { body: { email: "ada@example.com", score: 72, tags: ["a", "b"], nested: { ok: true } }, n: null },
    blocks: new Map<string, unknown>([
      ["fetch", { status: 200, body: { items: [{ id: 1, name: "first" }, { id: 2, name: "second" }] } }],
      ["check", { result: false }],
      ["echo", { text: "{{trigger.body.email}} and {{secrets.API_KEY}}" }],
      ["uni", { text: "héllo wörld ✓ 日本語 🚀" }],
    ]),
    vars: { region: "eu", limits: { max: 10 } },
    secret: (name) => secrets.get(name),
    ...overrides,
  };
}

describe("whole-value templates keep the referenced type", () => {
  const scope = makeScope();
  it.each([
    ["{{trigger.body.score}}", 72],
    ["{{trigger.body.nested}}", { ok: true }],
    ["{{trigger.body.tags}}", ["a", "b"]],
    ["{{check.result}}", false],
    ["{{trigger.n}}", null],
    ["{{ fetch.status }}", 200],
  ])("%s", (template, expected) => {
    expect(resolveTemplates(template, scope)).toStrictEqual(expected);
  });

  it("returns a copy, not the block's own output object", () => {
    const items = resolveTemplates("{{fetch.body.items}}", scope) as { id: number }[];
    items[0].id = 99;
    expect((scope.blocks.get("fetch") as { body: { items: { id: number }[] } }).body.items[0].id).toBe(1);
  });

  it("whitespace outside the braces makes it interpolation, so the value is stringified", () => {
    expect(resolveTemplates(" {{trigger.body.score}}", scope)).toBe(" 72");
    expect(resolveTemplates("{{trigger.body.score}}{{vars.region}}", scope)).toBe("72eu");
  });
});

describe("interpolation", () => {
  const scope = makeScope();
  it("stringifies strings as-is, numbers, booleans, and objects/arrays as JSON", () => {
    expect(resolveTemplates("Lead {{trigger.body.email}} scored {{ trigger.body.score }}", scope)).toBe(
      "Lead ada@example.com scored 72",
    );
    expect(resolveTemplates("ok={{check.result}}", scope)).toBe("ok=false");
    expect(resolveTemplates("n: {{trigger.body.nested}} t: {{trigger.body.tags}}", scope)).toBe(
      'n: {"ok":true} t: ["a","b"]',
    );
  });

  it("missing is null for a whole value and empty inside a string", () => {
    expect(resolveTemplates("{{trigger.body.nope}}", scope)).toBeNull();
    expect(resolveTemplates("{{nosuchblock}}", scope)).toBeNull();
    expect(resolveTemplates("{{fetch.status.deeper}}", scope)).toBeNull();
    expect(resolveTemplates("[{{trigger.body.nope}}][{{trigger.n}}]", scope)).toBe("[][]");
  });
});

describe("paths", () => {
  const scope = makeScope();
  it("reads array indices in dot and bracket form", () => {
    expect(resolveTemplates("{{fetch.body.items.1.name}}", scope)).toBe("second");
    expect(resolveTemplates("{{fetch.body.items[1].name}}", scope)).toBe("second");
    expect(resolveTemplates("{{fetch.body.items[0]}}", scope)).toEqual({ id: 1, name: "first" });
    expect(resolveTemplates("{{trigger.body.tags[5]}}", scope)).toBeNull();
    expect(resolveTemplates("{{trigger.body.tags.length}}", scope)).toBeNull();
  });

  it("resolves the vars and trigger roots", () => {
    expect(resolveTemplates("{{vars.region}}", scope)).toBe("eu");
    expect(resolveTemplates("{{vars.limits.max}}", scope)).toBe(10);
    expect(resolveTemplates("{{trigger}}", scope)).toEqual(scope.trigger);
    expect(resolveTemplates("{{trigger.body.email}}", makeScope({ trigger: "plain" }))).toBeNull();
    expect(resolveTemplates("{{trigger}}", makeScope({ trigger: "plain" }))).toBe("plain");
  });

  it("resolves deeply inside arrays and objects, leaving keys and non-strings alone", () => {
    const params = { "{{vars.region}}": "{{vars.region}}", list: [1, true, null, ["{{check.result}}"]] };
    expect(resolveTemplates(params, scope)).toStrictEqual({ "{{vars.region}}": "eu", list: [1, true, null, [false]] });
  });
});

describe("secrets", () => {
  it("are looked up through the function and reported in secretsUsed", () => {
    const { value, secretsUsed } = resolveTemplatesWithSecrets(
      { auth: "Bearer {{secrets.API_KEY}}", key: "{{secrets.API_KEY}}", t: "{{secrets.TOKEN}}" },
      makeScope(),
    );
    expect(value).toEqual({ auth: "Bearer sk-live-123", key: "sk-live-123", t: "tok_abc" });
    expect([...secretsUsed].sort()).toEqual(["sk-live-123", "tok_abc"]);
  });

  it("a missing secret, or no secret function, resolves to missing and reports nothing", () => {
    const missing = resolveTemplatesWithSecrets({ a: "{{secrets.NOPE}}", b: "x{{secrets.NOPE}}x" }, makeScope());
    expect(missing).toEqual({ value: { a: null, b: "xx" }, secretsUsed: [] });
    const none = resolveTemplatesWithSecrets("{{secrets.API_KEY}}", makeScope({ secret: undefined }));
    expect(none).toEqual({ value: null, secretsUsed: [] });
  });

  it("cannot be listed or taken apart", () => {
    const scope = makeScope();
    expect(resolveTemplates("{{secrets}}", scope)).toBeNull();
    expect(resolveTemplates("{{secrets.API_KEY.length}}", scope)).toBeNull();
    expect(resolveTemplatesWithSecrets("{{secrets.EMPTY}}", scope)).toEqual({ value: "", secretsUsed: [] });
  });
});

describe("redactSecrets", () => {
  it("replaces every occurrence inside strings, deeply, without touching keys or the input", () => {
    const input = { "sk-live-123": ["a sk-live-123 b sk-live-123", { t: "tok_abc!" }], n: 5 };
    const copy = structuredClone(input);
    expect(redactSecrets(input, ["sk-live-123", "tok_abc", ""])).toStrictEqual({
      "sk-live-123": ["a [REDACTED] b [REDACTED]", { t: "[REDACTED]!" }],
      n: 5,
    });
    expect(input).toStrictEqual(copy);
  });

  it("hides a secret that contains another one whole, and treats secrets as literal text", () => {
    expect(redactSecrets("abcdef abc", ["abc", "abcdef"])).toBe("[REDACTED] [REDACTED]");
    expect(redactSecrets("p.a+ss(1) pXa+ss(1)", ["p.a+ss(1)"])).toBe("[REDACTED] pXa+ss(1)");
  });

  it("hides a secret that is only part of a host label, with its whole punycode label", () => {
    const secret = "Ünïcödé42";
    const host = new URL(`http://api-${secret}.example/`).hostname; // xn--api-ncd42-…, no fixed form of the secret
    expect(host).toMatch(/^xn--/);
    expect(redactSecrets(`could not resolve ${host} or ${host.toUpperCase()}`, [secret])).toBe(
      "could not resolve [REDACTED].example or [REDACTED].EXAMPLE",
    );
    // Other punycode labels are left alone.
    expect(redactSecrets("xn--bcher-kva.example", [secret])).toBe("xn--bcher-kva.example");
  });

  it("hides what a URL parser makes of a secret in a path or a query, and no shorter form", () => {
    const secret = "p%ss 'w\\rd";
    const url = new URL(`http://h/${secret}?${secret}`);
    expect(redactSecrets(url.href, [secret])).toBe("http://h/[REDACTED]?[REDACTED]");
    // "a b/../cd" becomes the path "/cd": a form that short could be any text, so it is not one.
    expect(redactSecrets("cd", ["a b/../cd"])).toBe("cd");
  });

  it("redacts what resolveTemplatesWithSecrets reported", () => {
    const { value, secretsUsed } = resolveTemplatesWithSecrets({ url: "https://x/?k={{secrets.TOKEN}}" }, makeScope());
    expect(redactSecrets(value, secretsUsed)).toEqual({ url: "https://x/?k=[REDACTED]" });
  });
});

describe("one pass: resolved text is never expanded again", () => {
  it("a value that itself contains templates is inserted literally", () => {
    const scope = makeScope({ vars: { trap: "{{secrets.API_KEY}}", tpl: "{{x.y}}" } });
    const result = resolveTemplatesWithSecrets({ a: "{{vars.trap}}", b: "see {{vars.tpl}}", c: "{{echo}}" }, scope);
    expect(result.value).toEqual({
      a: "{{secrets.API_KEY}}",
      b: "see {{x.y}}",
      c: { text: "{{trigger.body.email}} and {{secrets.API_KEY}}" },
    });
    expect(result.secretsUsed).toEqual([]);
  });
});

describe("security", () => {
  const scope = makeScope({ blocks: new Map<string, unknown>([["constructor", { x: 1 }], ["fetch", { a: 1 }]]) });
  it.each([
    "{{constructor}}",
    "{{constructor.x}}",
    "{{trigger.__proto__}}",
    "{{trigger.constructor}}",
    "{{trigger.constructor.name}}",
    "{{trigger.body.tags.constructor}}",
    "{{fetch.hasOwnProperty}}",
    "{{fetch.toString}}",
    "{{vars.prototype}}",
    "{{vars.__proto__.polluted}}",
    "{{env.HOME}}",
    "{{process.env.PATH}}",
    "{{secrets.__proto__}}",
  ])("%s is missing", (template) => {
    expect(resolveTemplates(template, scope)).toBeNull();
    expect(resolveTemplates(`[${template}]`, scope)).toBe("[]");
  });

  it("does not read through class instances or getters", () => {
    let called = false;
    const withGetter = Object.defineProperty({}, "secret", { get: () => ((called = true), "leak"), enumerable: true });
    const s = makeScope({ trigger: { date: new Date(0), map: new Map([["k", 1]]), g: withGetter } });
    expect(resolveTemplates(["{{trigger.date.getTime}}", "{{trigger.map.size}}", "{{trigger.g.secret}}"], s)).toEqual([
      null,
      null,
      null,
    ]);
    expect(called).toBe(false);
  });

  it("copies __proto__ keys as own data and never pollutes Object.prototype", () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const input: unknown = JSON.parse('{"__proto__": {"polluted": "{{vars.region}}"}, "a": [{"__proto__": {"x": 1}}]}');
    const out = resolveTemplates(input, makeScope()) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toEqual({ polluted: "eu" });
    const whole = resolveTemplates("{{trigger}}", makeScope({ trigger: input })) as Record<string, unknown>;
    expect(Object.hasOwn(whole, "__proto__")).toBe(true);
    const redacted = redactSecrets(input, ["x"]) as Record<string, unknown>;
    expect(Object.hasOwn(redacted, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  });
});

describe("findReferences", () => {
  it("returns roots and paths in document order", () => {
    const params = {
      url: "https://x/{{ trigger.body.id }}/{{vars.region}}",
      body: { items: ["{{fetch.body.items[0].name}}", "{{secrets.API_KEY}}"], n: 3 },
      last: "{{check}}",
    };
    expect(findReferences(params)).toEqual([
      { raw: "{{ trigger.body.id }}", root: "trigger", path: ["body", "id"] },
      { raw: "{{vars.region}}", root: "vars", path: ["region"] },
      { raw: "{{fetch.body.items[0].name}}", root: "fetch", path: ["body", "items", "0", "name"] },
      { raw: "{{secrets.API_KEY}}", root: "secrets", path: ["API_KEY"] },
      { raw: "{{check}}", root: "check", path: [] },
    ]);
  });

  it("ignores malformed templates, which also stay literal when resolving", () => {
    const malformed = ["{{ }}", "{{}}", "{{a..b}}", "{{a.}}", "{{.a}}", "{{a b}}", "{{a[x]}}", "{{a[-1]}}", "{{0}}", "{a}", "{{a"];
    expect(findReferences(malformed)).toEqual([]);
    expect(resolveTemplates(malformed, makeScope())).toEqual(malformed);
    expect(resolveTemplates("x {{a..b}} {{vars.region}}", makeScope())).toBe("x {{a..b}} eu");
    expect(hasTemplate(malformed)).toBe(false);
  });
});

describe("hasTemplate", () => {
  it("is true for a string or nested value holding a well-formed template", () => {
    expect(hasTemplate("hi {{trigger.x}}")).toBe(true);
    expect(hasTemplate({ a: [1, { b: "{{vars.y}}" }] })).toBe(true);
    expect(hasTemplate("no templates")).toBe(false);
    expect(hasTemplate(42)).toBe(false);
    expect(hasTemplate({ "{{key.only}}": 1 })).toBe(false);
  });
});

describe("robustness", () => {
  it("does not mutate the input", () => {
    const input = { a: "{{vars.region}}", b: ["{{trigger.body.score}}", { c: "x {{check.result}}" }] };
    const copy = structuredClone(input);
    const out = resolveTemplates(input, makeScope());
    expect(input).toStrictEqual(copy);
    expect(out).not.toBe(input);
  });

  it("keeps unicode text intact around and inside templates", () => {
    const scope = makeScope({ vars: { prénom: "Zoë", emoji: "🚀" } });
    expect(resolveTemplates("¡Hola {{vars.prénom}}! {{vars.emoji}} — {{uni.text}}", scope)).toBe(
      "¡Hola Zoë! 🚀 — héllo wörld ✓ 日本語 🚀",
    );
    expect(findReferences("{{ vars.prénom }}")).toEqual([{ raw: "{{ vars.prénom }}", root: "vars", path: ["prénom"] }]);
  });

  it("handles very deep nesting without overflowing", () => {
    let input: unknown = "{{vars.region}}";
    for (let i = 0; i < 20_000; i++) input = i % 2 === 0 ? [input] : { k: input };
    let out = resolveTemplates(input, makeScope());
    for (let i = 20_000 - 1; i >= 0; i--) out = i % 2 === 0 ? (out as unknown[])[0] : (out as { k: unknown }).k;
    expect(out).toBe("eu");
    expect(findReferences(input)).toHaveLength(1);
    expect(hasTemplate(input)).toBe(true);
  });

  it("deep-copies a deeply nested whole-value reference", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    const out = resolveTemplates("{{trigger}}", makeScope({ trigger: deep }));
    expect(out === deep).toBe(false); // not.toBe would deep-compare the two on mismatch and overflow
    let cursor = out;
    for (let i = 0; i < 20_000; i++) cursor = (cursor as { d: unknown }).d;
    expect(cursor).toBe(1);
  });
});
