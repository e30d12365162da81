/**
 * How the benchmarks call the control plane's HTTP API: JSON in and out, over real HTTP or the
 * in-process Hono app.
 */

/** Sends one request; resolves with the JSON answer and its headers, throws on an error status. */
export type ApiCall = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
) => Promise<{ json: Record<string, unknown>; headers: Headers }>;

/** An ApiCall over `send`: `fetch` against a base URL, or the Hono app's `request`. */
export function apiCall(send: (path: string, init: RequestInit) => Response | Promise<Response>): ApiCall {
  return async (method, path, headers, body) => {
    const res = await send(path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return { json, headers: res.headers };
  };
}
