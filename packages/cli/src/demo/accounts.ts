import type { Role } from "@threshold/core";
import type { ServerHandle } from "@threshold/server";

/** Demo logins, printed at start. Never run the demo on a server that real people use. */
export const DEMO_PASSWORD = "threshold-demo";

export const DEMO_ACCOUNTS = {
  recipient: { email: "alex@demo.threshold.test", name: "Alex Morgan", role: "recipient" },
  courier: { email: "sam@parcelo.demo.threshold.test", name: "Sam Rivera", role: "courier" },
  carrierAdmin: { email: "dispatch@parcelo.demo.threshold.test", name: "Parcelo Dispatch", role: "carrier_admin" },
  operator: { email: "ops@demo.threshold.test", name: "Threshold Operations", role: "operator" },
  // Parcel lockers (docs/lockers.md): the building's manager and a resident.
  manager: { email: "morgan@canalhouse.demo.threshold.test", name: "Morgan Lee (Canal House)", role: "manager" },
  resident: { email: "jo@demo.threshold.test", name: "Jo Bakker", role: "recipient" },
} as const satisfies Record<string, { email: string; name: string; role: Role }>;

export const DEMO_CARRIER = "Parcelo Express";

/** Creates the demo accounts unless they exist; true when it created them (a fresh demo). */
export async function ensureDemoAccounts(server: ServerHandle): Promise<boolean> {
  // Loaded here, not at the top: `threshold courier` reads the logins above without the server.
  const { createAccount, createCarrier, SYSTEM_ACTOR } = await import("@threshold/server");
  const { db, clock } = server.ctx;
  const existing = await db
    .selectFrom("users")
    .select("id")
    .where("email", "=", DEMO_ACCOUNTS.operator.email)
    .executeTakeFirst();
  const audited = { audit: server.ctx.audit, actor: SYSTEM_ACTOR };
  if (existing) {
    // A demo from before lockers: add the accounts it lacks.
    for (const account of [DEMO_ACCOUNTS.manager, DEMO_ACCOUNTS.resident]) {
      const found = await db.selectFrom("users").select("id").where("email", "=", account.email).executeTakeFirst();
      if (!found) await createAccount(db, clock, { ...account, password: DEMO_PASSWORD, carrierId: null }, audited);
    }
    return false;
  }
  const carrier = await createCarrier(db, clock, DEMO_CARRIER, audited);
  for (const account of Object.values(DEMO_ACCOUNTS)) {
    const needsCarrier = account.role === "courier" || account.role === "carrier_admin";
    await createAccount(
      db,
      clock,
      {
        ...account,
        password: DEMO_PASSWORD,
        carrierId: needsCarrier ? carrier.id : null,
      },
      audited,
    );
  }
  return true;
}
