import { createBrowserRouter, Navigate, type RouteObject } from "react-router";
import { carrierRoutes } from "./screens/carrier/routes";
import { courierRoutes } from "./screens/courier/routes";
import { lockerRoutes } from "./screens/lockers/routes";
import { NotFound } from "./screens/NotFound";
import { operatorRoutes } from "./screens/operator/routes";
import { recipientRoutes } from "./screens/recipient/routes";
import { SharedKey } from "./screens/SharedKey";
import { SignIn } from "./screens/SignIn";
import { useMeQuery, useStartPath } from "./session";
import { FullPageMessage, Spinner } from "./ui/feedback";

/** `/` sends each person to where their role starts. */
function Start() {
  const me = useMeQuery();
  const start = useStartPath(me.data);
  if (me.isPending || start.pending) return <FullPageMessage>{<Spinner label="Loading…" />}</FullPageMessage>;
  return <Navigate to={start.path ?? "/signin"} replace />;
}

const routes: RouteObject[] = [
  { path: "/", element: <Start /> },
  { path: "/signin", element: <SignIn /> },
  // A guest's key, opened from the link they were sent: no account needed.
  { path: "/k/:token", element: <SharedKey /> },
  ...recipientRoutes,
  ...courierRoutes,
  ...operatorRoutes,
  ...carrierRoutes,
  ...lockerRoutes,
  { path: "*", element: <NotFound /> },
];

export const router = createBrowserRouter(routes);
