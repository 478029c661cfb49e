import type { RouteObject } from "react-router";
import { RequireSession } from "../../session";
import { Shell } from "../../ui/shell";
import { StopPage } from "./StopPage";
import { Stops } from "./Stops";
import "./courier.css";

const ROLES = ["courier"] as const;

export const courierRoutes: RouteObject[] = [
  {
    path: "/stops",
    element: (
      <RequireSession roles={ROLES}>
        <Shell>
          <Stops />
        </Shell>
      </RequireSession>
    ),
  },
  {
    path: "/stops/:shipmentId",
    element: (
      <RequireSession roles={ROLES}>
        <Shell>
          <StopPage />
        </Shell>
      </RequireSession>
    ),
  },
];
