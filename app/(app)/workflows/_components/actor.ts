import type { ActorSummary } from "@/lib/resources/workflow";

/**
 * Who saved a version, in words: "you", a member's name, "agent key <name>", or what is left of
 * them when the member left or the key was revoked.
 */
export function actorLabel(actor: ActorSummary | null, myUserId?: string): string | null {
  if (!actor) return null;
  if (actor.kind === "system") return "Weft";
  if (actor.kind === "api_key") return actor.name ? `agent key ${actor.name}` : "a revoked agent key";
  if (myUserId && actor.actor === `user:${myUserId}`) return "you";
  return actor.name ?? "a former member";
}
