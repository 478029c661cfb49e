import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext } from "react";
import { Navigate, useLocation } from "react-router";
import { api, errorCode, type Me, type Role, unwrap } from "./api";
import { type Audience, audienceOf, startPathOf, usesScreen } from "./audience";
import { useSites } from "./screens/recipient/home-data";
import { FullPageMessage, Spinner } from "./ui/feedback";

interface Session {
  me: Me;
  /** Who they are to the app (./audience.ts): decides their navigation and where they start. */
  audience: Audience;
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

/**
 * The audience of a signed-in person: for a recipient it depends on whether they own a home, so
 * their sites are read (the same cached query Home uses); `pending` until that answer is in.
 */
export function useAudience(me: Me | null | undefined): { audience: Audience | null; pending: boolean } {
  const isRecipient = me?.role === "recipient";
  const sites = useSites(undefined, isRecipient);
  if (!me) return { audience: null, pending: false };
  if (!isRecipient) return { audience: audienceOf(me.role, false), pending: false };
  // Reading the sites failed: the homeowner's screens say so themselves, so they are the safe choice.
  if (sites.isError) return { audience: "homeowner", pending: false };
  if (sites.isPending) return { audience: null, pending: true };
  return { audience: audienceOf(me.role, sites.data.length > 0), pending: false };
}

/** Where a signed-in person starts; null while it is still being worked out. */
export function useStartPath(me: Me | null | undefined): { path: string | null; pending: boolean } {
  const { audience, pending } = useAudience(me);
  return { path: audience ? startPathOf(audience) : null, pending };
}

/**
 * Renders its children for a signed-in person of one of `roles` whose audience uses the screen;
 * sends anyone else to sign in, or to where they start.
 */
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

  const { audience, pending } = useAudience(me.data);

  if (me.isPending || pending) return <FullPageMessage>{<Spinner label="Loading…" />}</FullPageMessage>;
  if (me.isError) return <FullPageMessage>Cannot reach Threshold. Reload the page to try again.</FullPageMessage>;
  if (!me.data || !audience) {
    return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname)}`} replace />;
  }
  // Another role's screen, or a home's screen for a resident who has no home: to where they start.
  const notTheirs =
    (roles && !roles.includes(me.data.role)) || (audience === "resident" && !usesScreen(audience, location.pathname));
  if (notTheirs) return <Navigate to={startPathOf(audience)} replace />;
  return <SessionContext.Provider value={{ me: me.data, audience, signOut }}>{children}</SessionContext.Provider>;
}
