import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { accessCodeRoutes } from "./access-codes/routes.js";
import { accessPointRoutes } from "./access-points/routes.js";
import { apiKeyRoutes } from "./api-keys/routes.js";
import { auditRoutes } from "./audit/routes.js";
import { authRoutes } from "./auth/routes.js";
import { carRoutes } from "./cars/routes.js";
import { consentRoutes } from "./consent/routes.js";
import { courierRoutes } from "./courier/routes.js";
import { demoRoutes } from "./demo/routes.js";
import { deviceRoutes } from "./devices/routes.js";
import { eventRoutes } from "./events/routes.js";
import { fleetRoutes } from "./fleet/routes.js";
import { guestKeyRoutes } from "./guest-keys/routes.js";
import { healthRoutes } from "./health/routes.js";
import { incidentRoutes } from "./incidents/routes.js";
import { publicKeyRoutes } from "./keys/public-keys-routes.js";
import { keyRotationRoutes } from "./keys/routes.js";
import { labelRoutes } from "./labels/routes.js";
import { lockerRoutes } from "./lockers/routes.js";
import { pairingRoutes } from "./pairing/routes.js";
import { shipmentRoutes } from "./shipments/routes.js";
import { siteRoutes } from "./sites/routes.js";
import { userRoutes } from "./users/routes.js";
import { videoRoutes } from "./video/routes.js";
import { visitRoutes } from "./visits/routes.js";
import { webhookRoutes } from "./webhooks/routes.js";

/** Every module's routes. `/health` sits at the root; the API lives under /v1. */
export async function registerModules(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await healthRoutes(app, ctx);
  await app.register(
    async (v1) => {
      await keyRotationRoutes(v1, ctx);
      await auditRoutes(v1, ctx);
      await eventRoutes(v1, ctx);
      await visitRoutes(v1, ctx);
      await incidentRoutes(v1, ctx);
      await publicKeyRoutes(v1, ctx);
      await authRoutes(v1, ctx);
      await userRoutes(v1, ctx);
      await apiKeyRoutes(v1, ctx);
      await siteRoutes(v1, ctx);
      await pairingRoutes(v1, ctx);
      await deviceRoutes(v1, ctx);
      await fleetRoutes(v1, ctx);
      await accessPointRoutes(v1, ctx);
      await webhookRoutes(v1, ctx);
      await consentRoutes(v1, ctx);
      await shipmentRoutes(v1, ctx);
      await accessCodeRoutes(v1, ctx);
      await guestKeyRoutes(v1, ctx);
      await labelRoutes(v1, ctx);
      await lockerRoutes(v1, ctx);
      await courierRoutes(v1, ctx);
      await carRoutes(v1, ctx);
      await videoRoutes(v1, ctx);
      await demoRoutes(v1, ctx);
    },
    { prefix: "/v1" },
  );
}
