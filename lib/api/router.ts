/**
 * `createRouter()`: an OpenAPIHono sub-app whose request validation failures all become the errors of
 * docs/architecture.md ("Errors and lists"): 400 `invalid_body` (JSON body), `invalid_query`, `invalid_params` or `invalid_headers`,
 * each with the zod `issues`.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context";

const CODES: Record<string, string> = {
  json: "invalid_body",
  form: "invalid_body",
  query: "invalid_query",
  param: "invalid_params",
  header: "invalid_headers",
  cookie: "invalid_headers",
};

/** A route group (or the root app) with Weft's validation-error mapping. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issues = result.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message, code: issue.code }));
      const code = CODES[result.target] ?? "invalid_body";
      return c.json({ error: code, message: `The request ${result.target === "json" ? "body" : result.target} is not valid.`, issues }, 400);
    },
  });
}
