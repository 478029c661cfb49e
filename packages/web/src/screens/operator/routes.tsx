import type { ReactNode } from "react";
import type { RouteObject } from "react-router";
import { RequireSession } from "../../session";
import { Shell } from "../../ui/shell";
import { Audit } from "./Audit";
import { Fleet } from "./Fleet";
import { IncidentDetail } from "./IncidentDetail";
import { Incidents } from "./Incidents";
import "./operator.css";

const ROLES = ["operator"] as const;

function OperatorPage({ children }: { children: ReactNode }) {
  return (
    <RequireSession roles={ROLES}>
      <Shell>{children}</Shell>
    </RequireSession>
  );
}

export const operatorRoutes: RouteObject[] = [
  { path: "/fleet", element: <OperatorPage>{<Fleet />}</OperatorPage> },
  { path: "/incidents", element: <OperatorPage>{<Incidents />}</OperatorPage> },
  { path: "/incidents/:incidentId", element: <OperatorPage>{<IncidentDetail />}</OperatorPage> },
  { path: "/audit", element: <OperatorPage>{<Audit />}</OperatorPage> },
];
