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
/** A recipient reads and resolves the incidents at their own home (the API shows them only those). */
const INCIDENT_ROLES = ["operator", "recipient"] as const;

function OperatorPage({
  children,
  roles = ROLES,
}: {
  children: ReactNode;
  roles?: readonly ("operator" | "recipient")[];
}) {
  return (
    <RequireSession roles={roles}>
      <Shell>{children}</Shell>
    </RequireSession>
  );
}

export const operatorRoutes: RouteObject[] = [
  { path: "/fleet", element: <OperatorPage>{<Fleet />}</OperatorPage> },
  { path: "/incidents", element: <OperatorPage roles={INCIDENT_ROLES}>{<Incidents />}</OperatorPage> },
  {
    path: "/incidents/:incidentId",
    element: <OperatorPage roles={INCIDENT_ROLES}>{<IncidentDetail />}</OperatorPage>,
  },
  { path: "/audit", element: <OperatorPage>{<Audit />}</OperatorPage> },
];
