import type { RouteObject } from "react-router";
import { RequireSession } from "../../session";
import { Shell } from "../../ui/shell";
import { Stops } from "./Stops";

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
];
