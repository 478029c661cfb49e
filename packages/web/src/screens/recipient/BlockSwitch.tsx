import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import { api, unwrap } from "../../api";
import { Switch } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { formatDateTime } from "../../ui/format";
import { type BlockResult, recipientKeys, type Site } from "./home-data";

interface Change {
  siteId: string;
  blocked: boolean;
}

/** Writes each site's new state into the cached site list, so every screen shows it at once. */
function withBlockState(sites: Site[] | undefined, changes: readonly BlockResult["sites"][number][]) {
  if (!sites) return sites;
  const bySite = new Map(changes.map((change) => [change.siteId, change]));
  return sites.map((site) => {
    const change = bySite.get(site.id);
    return change ? { ...site, accessBlocked: change.blocked, accessBlockedAt: change.blockedAt } : site;
  });
}

/**
 * Blocks and unblocks one site with one tap. The switch moves at once (optimistic) and moves back,
 * with the server's reason, if the call fails: a recipient in a hurry must never wonder whether
 * the tap registered.
 */
function useBlockMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ siteId, blocked }: Change) =>
      unwrap(await api.POST(blocked ? "/v1/access/block" : "/v1/access/unblock", { body: { siteId } })),
    onMutate: async ({ siteId, blocked }) => {
      // A refetch already on its way would overwrite the new position with the old one.
      await queryClient.cancelQueries({ queryKey: recipientKeys.sites });
      const before = queryClient.getQueryData<Site[]>(recipientKeys.sites);
      queryClient.setQueryData<Site[]>(recipientKeys.sites, (sites) =>
        withBlockState(sites, [{ siteId, blocked, blockedAt: blocked ? new Date().toISOString() : null }]),
      );
      return { before };
    },
    onError: (_error, _change, context) => {
      if (context?.before) queryClient.setQueryData(recipientKeys.sites, context.before);
    },
    onSuccess: (result) => {
      queryClient.setQueryData<Site[]>(recipientKeys.sites, (sites) => withBlockState(sites, result.sites));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: recipientKeys.sites }),
  });
}

export function BlockSwitch({ site }: { site: Site }) {
  const mutation = useBlockMutation();
  const explanationId = useId();
  const blocked = site.accessBlocked;
  return (
    <div className="rh-block">
      <Switch
        checked={blocked}
        aria-describedby={explanationId}
        onSwitch={(next) => mutation.mutate({ siteId: site.id, blocked: next })}
      >
        Block all access
      </Switch>
      <p id={explanationId} className="small rh-block-explanation">
        {blocked ? (
          <>
            <strong>Access is blocked</strong>
            {site.accessBlockedAt ? ` since ${formatDateTime(site.accessBlockedAt)}` : ""}. No courier can open any door
            here. Turn the switch off to allow deliveries again.
          </>
        ) : (
          <>When on, no courier can open any door; visits already authorized but not open are cancelled.</>
        )}
      </p>
      {mutation.isError ? (
        <ErrorNote
          error={mutation.error}
          title={mutation.variables?.blocked ? "Access was not blocked." : "Access was not unblocked."}
        />
      ) : null}
    </div>
  );
}
