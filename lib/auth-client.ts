/**
 * The browser's better-auth client: sign-up/sign-in, sessions (cookie), organizations, members
 * and invitations. API keys are not managed here: pages call Weft's own `/api/keys` routes.
 * Same origin as the app, so no base URL is needed.
 */
import { createAuthClient } from "better-auth/client";
import { organizationClient } from "better-auth/client/plugins";

export const authClient = createAuthClient({
  basePath: "/api/auth",
  plugins: [organizationClient()],
});
