/**
 * Signing in and out through better-auth's HTTP API (`/api/auth/*`, docs/architecture.md, "Tenancy
 * and auth"). These routes are better-auth's, mounted beside the control plane's typed routes, so
 * the typed client does not describe them: plain requests. Each sends the server's own origin as
 * `Origin`: better-auth refuses a state-changing request without one (403
 * MISSING_OR_NULL_ORIGIN), as it would a cross-site form.
 */
import { CliError } from "./command";
import { failureOf, reporting } from "./connection";

/** The `Origin` better-auth expects of a request to `url`: its own. */
const originOf = (url: string) => ({ origin: new URL(url).origin });

/** Signs `email` in on `url`; answers the signed session token (better-auth's `set-auth-token`). */
export async function signIn(url: string, email: string, password: string): Promise<string> {
  const response = await reporting(url)(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", ...originOf(url) },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw await failureOf(response);
  const token = response.headers.get("set-auth-token");
  if (!token) throw new CliError(`${url} signed in but sent no session token (set-auth-token); is it a Weft server?`);
  return token;
}

/** Ends the session of `token` on `url`; true when the server confirmed it. */
export async function signOut(url: string, token: string): Promise<boolean> {
  const response = await reporting(url)(`${url}/api/auth/sign-out`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...originOf(url) },
    body: "{}",
  });
  return response.ok;
}

export interface OrganizationSummary {
  id: string;
  name: string;
  slug: string;
}

/** The organizations the session's user belongs to. */
export async function listOrganizations(url: string, token: string): Promise<OrganizationSummary[]> {
  const response = await reporting(url)(`${url}/api/auth/organization/list`, { headers: { authorization: `Bearer ${token}`, ...originOf(url) } });
  if (!response.ok) throw await failureOf(response);
  return (await response.json()) as OrganizationSummary[];
}

/** Makes `organization` (an id or a slug among `organizations`) the session's active organization. */
export async function setActiveOrganization(url: string, token: string, organization: OrganizationSummary): Promise<void> {
  const response = await reporting(url)(`${url}/api/auth/organization/set-active`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...originOf(url) },
    body: JSON.stringify({ organizationId: organization.id }),
  });
  if (!response.ok) throw await failureOf(response);
}
