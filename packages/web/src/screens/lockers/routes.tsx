import type { RouteObject } from "react-router";
import { RequireSession, useSession } from "../../session";
import { Shell } from "../../ui/shell";
import { CourierLockers } from "./CourierLockers";
import { Kiosk } from "./Kiosk";
import { ManagerLockers } from "./ManagerLockers";
import { PickupCards } from "./PickupCards";
import "./lockers.css";

/** One place called Lockers, shown as each role needs it. */
function Lockers() {
  const { me } = useSession();
  if (me.role === "manager") return <ManagerLockers />;
  if (me.role === "courier") return <CourierLockers />;
  return <PickupCards />;
}

export const lockerRoutes: RouteObject[] = [
  {
    path: "/lockers",
    element: (
      <RequireSession roles={["recipient", "manager", "courier"]}>
        <Shell>
          <Lockers />
        </Shell>
      </RequireSession>
    ),
  },
  // The bank's own screen: no account for pickup; couriers sign in on it.
  { path: "/kiosk/:bankId", element: <Kiosk /> },
];
