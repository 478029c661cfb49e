import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import { api, unwrap } from "../../api";
import { Switch } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { formatDateTime } from "../../ui/format";
import { guestKeyKeys } from "./guest-keys-data";
import { type BlockResult, recipientKeys, type Site } from "./home-data";

interface Change {
  siteId: string;
  blocked: boolean;
}

type BlockChange = Pick<BlockResult["sites"][number], "siteId" | "blocked" | "blockedAt">;

/** Writes each site's new state into the cached site list, so every screen shows it at once. */
function withBlockState(sites: Site[] | undefined, changes: readonly BlockChange[]) {
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
    onSettled: async (_result, _error, { siteId }) => {
      await queryClient.invalidateQueries({ queryKey: recipientKeys.sites });
      // Blocking pauses the site's guest keys; the Keys page shows it.
      await queryClient.invalidateQueries({ queryKey: guestKeyKeys.of(siteId) });
    },
  });
}

/** Guest keys the block paused whose lock did not confirm: their PINs still open the door for now. */
function pendingKeysNote(result: BlockResult | undefined, siteId: string): string | null {
  const pending = result?.sites.find((s) => s.siteId === siteId && s.blocked)?.guestKeysPending ?? 0;
  if (pending === 0) return null;
  const keys = pending === 1 ? "1 guest key" : `${pending} guest keys`;
  return `The lock has not confirmed it forgot ${keys} yet (it may be offline): until it does, ${pending === 1 ? "that PIN" : "those PINs"} still open the door. Threshold keeps trying.`;
}

export function BlockSwitch({ site }: { site: Site }) {
  const mutation = useBlockMutation();
  const explanationId = useId();
  const blocked = site.accessBlocked;
  const pendingNote = blocked ? pendingKeysNote(mutation.data, site.id) : null;
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
            here, and guest keys are paused. Turn the switch off to allow deliveries and guest keys again.
          </>
        ) : (
          <>
            When on, no courier can open any door, visits already authorized but not open are cancelled, and guest keys
            are paused.
          </>
        )}
      </p>
      {pendingNote ? (
        <p className="note note-warn small" role="status">
          {pendingNote}
        </p>
      ) : null}
      {mutation.isError ? (
        <ErrorNote
          error={mutation.error}
          title={mutation.variables?.blocked ? "Access was not blocked." : "Access was not unblocked."}
        />
      ) : null}
    </div>
  );
}
