import type { RouteObject } from "react-router";
import { RequireSession } from "../../session";
import { Shell } from "../../ui/shell";
import { Fleet } from "./Fleet";

const ROLES = ["operator"] as const;

export const operatorRoutes: RouteObject[] = [
  {
    path: "/fleet",
    element: (
      <RequireSession roles={ROLES}>
        <Shell>
          <Fleet />
        </Shell>
      </RequireSession>
    ),
  },
];
