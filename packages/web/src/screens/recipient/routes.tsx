import type { RouteObject } from "react-router";
import { RequireSession } from "../../session";
import { Shell } from "../../ui/shell";
import { AccessPointSettings } from "./AccessPointSettings";
import { Deliveries } from "./Deliveries";
import { DeliveryProof } from "./DeliveryProof";
import { Devices } from "./Devices";
import { GuestKeys } from "./GuestKeys";
import { Home } from "./Home";
import { LiveBanner } from "./LiveBanner";
import { LiveVisit } from "./LiveVisit";
import "./live-deliveries.css";
import "./recipient-home.css";

/** A building's manager uses its doors and devices; keys and deliveries are a recipient's alone. */
const ROLES = ["recipient", "manager"] as const;
const RECIPIENT_ONLY = ["recipient"] as const;

export const recipientRoutes: RouteObject[] = [
  {
    path: "/access-points/:id/settings",
    element: (
      <RequireSession roles={ROLES}>
        <Shell banner={<LiveBanner />}>
          <AccessPointSettings />
        </Shell>
      </RequireSession>
    ),
  },
  {
    path: "/devices",
    element: (
      <RequireSession roles={ROLES}>
        <Shell banner={<LiveBanner />}>
          <Devices />
        </Shell>
      </RequireSession>
    ),
  },
  {
    path: "/home",
    element: (
      <RequireSession roles={ROLES}>
        <Shell banner={<LiveBanner />}>
          <Home />
        </Shell>
      </RequireSession>
    ),
  },
  {
    path: "/keys",
    element: (
      <RequireSession roles={RECIPIENT_ONLY}>
        <Shell banner={<LiveBanner />}>
          <GuestKeys />
        </Shell>
      </RequireSession>
    ),
  },
  {
    path: "/deliveries",
    element: (
      <RequireSession roles={RECIPIENT_ONLY}>
        <Shell banner={<LiveBanner />}>
          <Deliveries />
        </Shell>
      </RequireSession>
    ),
  },
  {
    path: "/deliveries/:shipmentId",
    element: (
      <RequireSession roles={RECIPIENT_ONLY}>
        <Shell banner={<LiveBanner />}>
          <DeliveryProof />
        </Shell>
      </RequireSession>
    ),
  },
  {
    path: "/live/:visitId",
    element: (
      <RequireSession roles={ROLES}>
        <Shell banner={<LiveBanner />}>
          <LiveVisit />
        </Shell>
      </RequireSession>
    ),
  },
];
