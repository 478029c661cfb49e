import type { Role } from "@threshold/core";
import type { ServerHandle } from "@threshold/server";

/** Demo logins, printed at start. Never run the demo on a server that real people use. */
export const DEMO_PASSWORD = "threshold-demo";

/**
 * Each account's `title` is what the banner and the sign-in page both call it (GET /v1/demo), so the
 * two never disagree: Jo is a "Resident" in both, though her role is `recipient` like Alex's.
 */
export const DEMO_ACCOUNTS = {
  recipient: { email: "alex@demo.threshold.test", name: "Alex Morgan", role: "recipient", title: "Recipient" },
  courier: { email: "sam@parcelo.demo.threshold.test", name: "Sam Rivera", role: "courier", title: "Courier" },
  carrierAdmin: {
    email: "dispatch@parcelo.demo.threshold.test",
    name: "Parcelo Dispatch",
    role: "carrier_admin",
    title: "Carrier dispatch",
  },
  operator: { email: "ops@demo.threshold.test", name: "Threshold Operations", role: "operator", title: "Operator" },
  // Parcel lockers (docs/lockers.md): the building's manager and a resident.
  manager: {
    email: "morgan@canalhouse.demo.threshold.test",
    name: "Morgan Lee (Canal House)",
    role: "manager",
    title: "Building manager",
  },
  resident: { email: "jo@demo.threshold.test", name: "Jo Bakker", role: "recipient", title: "Resident" },
} as const satisfies Record<string, { email: string; name: string; role: Role; title: string }>;

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
      if (!found) {
        const { email, name, role } = account;
        await createAccount(db, clock, { email, name, role, password: DEMO_PASSWORD, carrierId: null }, audited);
      }
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
        email: account.email,
        name: account.name,
        role: account.role,
        password: DEMO_PASSWORD,
        carrierId: needsCarrier ? carrier.id : null,
      },
      audited,
    );
  }
  return true;
}
