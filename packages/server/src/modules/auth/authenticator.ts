import type { AppContext } from "../../context.js";
import type { Authenticator } from "../../http/actor.js";

/** Placeholder until the accounts module lands: nobody is authenticated. */
export function createAuthenticator(_ctx: Omit<AppContext, "authenticator">): Authenticator {
  return { resolve: async () => null };
}
