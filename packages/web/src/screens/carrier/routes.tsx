import type { ReactNode } from "react";
import type { RouteObject } from "react-router";
import { RequireSession } from "../../session";
import { Shell } from "../../ui/shell";
import { EndpointPage } from "./EndpointPage";
import { LabelPage } from "./LabelPage";
import { NewShipment } from "./NewShipment";
import { Shipments } from "./Shipments";
import { Webhooks } from "./Webhooks";
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
  { path: "/shipments/new", element: <CarrierPage>{<NewShipment />}</CarrierPage> },
  { path: "/shipments/:shipmentId/label", element: <CarrierPage>{<LabelPage />}</CarrierPage> },
  { path: "/webhooks", element: <CarrierPage>{<Webhooks />}</CarrierPage> },
  { path: "/webhooks/:endpointId", element: <CarrierPage>{<EndpointPage />}</CarrierPage> },
];
