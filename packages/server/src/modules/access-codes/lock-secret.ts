import type { AppContext } from "../../context.js";
import { deviceSecretContext } from "../keys/secret-box.js";

/** The lock's pairing secret, opened from its sealed column; null for a lock paired before codes existed. */
export function lockSecret(
  ctx: Pick<AppContext, "secrets">,
  lock: { id: string; offline_secret?: string | null },
): Buffer | null {
  if (!lock.offline_secret) return null;
  return ctx.secrets.open(lock.offline_secret, deviceSecretContext(lock.id));
}
