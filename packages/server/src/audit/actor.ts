import type { Actor } from "../http/actor.js";
import type { AuditActor } from "./audit-log.js";

/** The audit log's name for whoever made a request: a person, or a carrier's API key. */
export function actorOf(actor: Actor): AuditActor {
  return actor.kind === "user" ? { type: "user", id: actor.userId } : { type: "api_key", id: actor.keyId };
}
