"use client";

/** The active organization as better-auth's organization client gives it: members (with their user) and invitations. */
import { useQuery } from "@tanstack/react-query";
import { authClient } from "@/lib/auth-client";

export function useFullOrganization(organizationId: string | undefined) {
  return useQuery({
    queryKey: ["organization", organizationId, "full"],
    enabled: Boolean(organizationId),
    queryFn: async () => {
      const result = await authClient.organization.getFullOrganization({ query: { organizationId } });
      if (result.error || !result.data) throw new Error(result.error?.message ?? "Could not read the organization.");
      return result.data;
    },
  });
}

export type FullOrganization = NonNullable<ReturnType<typeof useFullOrganization>["data"]>;
export type OrganizationMember = FullOrganization["members"][number];
export type OrganizationInvitation = FullOrganization["invitations"][number];

/** The invitation link: the invitee opens it, signs in or up with the invited email, and accepts. */
export function invitationLink(id: string): string {
  return `${window.location.origin}/invite/${id}`;
}
