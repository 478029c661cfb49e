import type { ReactNode } from "react";
import type { RouteObject } from "react-router";
import { RequireSession } from "../../session";
import { Shell } from "../../ui/shell";
import { LabelPage } from "./LabelPage";
import { Shipments } from "./Shipments";
import "./carrier.css";

const ROLES = ["carrier_admin"] as const;

function CarrierPage({ children }: { children: ReactNode }) {
  return (
    <RequireSession roles={ROLES}>
      <Shell>{children}</Shell>
    </RequireSession>
  );
}

export const carrierRoutes: RouteObject[] = [
  { path: "/shipments", element: <CarrierPage>{<Shipments />}</CarrierPage> },
  { path: "/shipments/:shipmentId/label", element: <CarrierPage>{<LabelPage />}</CarrierPage> },
];
