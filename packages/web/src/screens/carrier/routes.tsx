import type { RouteObject } from "react-router";
import { RequireSession } from "../../session";
import { Shell } from "../../ui/shell";
import { Shipments } from "./Shipments";

const ROLES = ["carrier_admin"] as const;

export const carrierRoutes: RouteObject[] = [
  {
    path: "/shipments",
    element: (
      <RequireSession roles={ROLES}>
        <Shell>
          <Shipments />
        </Shell>
      </RequireSession>
    ),
  },
];
