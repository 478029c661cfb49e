import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext } from "react";
import { Navigate, useLocation } from "react-router";
import { api, errorCode, type Me, type Role, unwrap } from "./api";
import { FullPageMessage, Spinner } from "./ui/feedback";

interface Session {
  me: Me;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export const ME_QUERY = ["me"] as const;

/** Who is signed in: null when nobody is (a 401 is an answer here, not an error). */
export function useMeQuery() {
  return useQuery({
    queryKey: ME_QUERY,
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = unwrap(await api.GET("/v1/me"));
        return me.kind === "user" ? me.user : null;
      } catch (error) {
        if (errorCode(error) === "unauthenticated") return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** The signed-in person; only inside <RequireSession>. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside <RequireSession>");
  return session;
}

/** Where each role starts. */
export function homePathOf(role: Role): string {
  switch (role) {
    case "recipient":
      return "/home";
    case "courier":
      return "/stops";
    case "carrier_admin":
      return "/shipments";
    case "operator":
      return "/fleet";
    case "manager":
      return "/home";
  }
}

/** Renders its children for a signed-in person of one of `roles`; sends anyone else to sign in or home. */
export function RequireSession({ roles, children }: { roles?: readonly Role[]; children: ReactNode }) {
  const location = useLocation();
  const queryClient = useQueryClient();
  const me = useMeQuery();
  const signOut = useCallback(async () => {
    await api.POST("/v1/auth/logout");
    // Nothing of the last person may stay on screen or in the cache.
    queryClient.clear();
    queryClient.setQueryData(ME_QUERY, null);
  }, [queryClient]);

  if (me.isPending) return <FullPageMessage>{<Spinner label="Loading…" />}</FullPageMessage>;
  if (me.isError) return <FullPageMessage>Cannot reach Threshold. Reload the page to try again.</FullPageMessage>;
  if (!me.data) return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname)}`} replace />;
  if (roles && !roles.includes(me.data.role)) return <Navigate to={homePathOf(me.data.role)} replace />;
  return <SessionContext.Provider value={{ me: me.data, signOut }}>{children}</SessionContext.Provider>;
}
