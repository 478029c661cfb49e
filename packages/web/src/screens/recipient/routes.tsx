import type { RouteObject } from "react-router";
import { RequireSession } from "../../session";
import { Shell } from "../../ui/shell";
import { Home } from "./Home";

const ROLES = ["recipient", "manager"] as const;

export const recipientRoutes: RouteObject[] = [
  {
    path: "/home",
    element: (
      <RequireSession roles={ROLES}>
        <Shell>
          <Home />
        </Shell>
      </RequireSession>
    ),
  },
];
