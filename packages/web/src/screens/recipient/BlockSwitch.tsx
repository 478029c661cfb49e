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

/**
 * What the block could not stop yet, said plainly: PINs and couriers' codes a lock has not
 * confirmed it forgot (it may be offline), and offline codes already given out, which a lock with
 * no network takes by itself. Each is one sentence; none when the block stopped everything.
 */
function notStoppedNotes(result: BlockResult | undefined, siteId: string): string[] {
  const site = result?.sites.find((s) => s.siteId === siteId && s.blocked);
  if (!site) return [];
  const notes: string[] = [];
  const keys = site.guestKeysPending;
  if (keys > 0) {
    const what = keys === 1 ? "1 guest key" : `${keys} guest keys`;
    notes.push(
      `The lock has not confirmed it forgot ${what} yet (it may be offline): until it does, ${keys === 1 ? "that PIN" : "those PINs"} still open the door. Threshold keeps trying.`,
    );
  }
  const codes = site.accessCodesPending;
  if (codes > 0) {
    const what = codes === 1 ? "a courier's one-time code" : `${codes} couriers' one-time codes`;
    notes.push(
      `The lock has not confirmed it forgot ${what} yet (it may be offline): until it does, ${codes === 1 ? "that code" : "each of them"} still opens the door once. Threshold keeps trying, and a use is reported to you as an incident.`,
    );
  }
  const offline = site.offlineCodesOutstanding;
  if (offline > 0) {
    const what = offline === 1 ? "1 offline code" : `${offline} offline codes`;
    notes.push(
      `${what} already given to a courier cannot be stopped by the block: a lock with no network checks ${offline === 1 ? "it" : "them"} by itself, until the end of ${offline === 1 ? "its" : "their"} hour. A use during the block is reported to you as an incident.`,
    );
  }
  return notes;
}

/** After unblocking: guest keys whose PIN the lock has not confirmed it has back yet. */
function notYetRestoredNote(result: BlockResult | undefined, siteId: string): string | null {
  const keys = result?.sites.find((s) => s.siteId === siteId && !s.blocked)?.guestKeysRestoring ?? 0;
  if (keys === 0) return null;
  const what = keys === 1 ? "1 guest key's PIN" : `${keys} guest keys' PINs`;
  return `The lock has not confirmed it has ${what} back yet (it may be offline): until it does, ${keys === 1 ? "that PIN does" : "those PINs do"} not open the door. Threshold keeps trying.`;
}

export function BlockSwitch({ site }: { site: Site }) {
  const mutation = useBlockMutation();
  const explanationId = useId();
  const blocked = site.accessBlocked;
  const restoring = blocked ? null : notYetRestoredNote(mutation.data, site.id);
  const notStopped = blocked ? notStoppedNotes(mutation.data, site.id) : restoring ? [restoring] : [];
  return (
    <div className="rh-block">
      <Switch
        tone="alarm"
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
            here, couriers' one-time codes are withdrawn, and guest keys are paused. Turn the switch off to allow
            deliveries and guest keys again (carriers ask for new codes).
          </>
        ) : (
          <>
            When on, no courier can open any door, visits already authorized but not open are cancelled, couriers'
            one-time codes are withdrawn from the lock, and guest keys are paused. Offline codes already given out
            cannot be stopped while a lock has no network.
          </>
        )}
      </p>
      {notStopped.map((note) => (
        <p key={note} className="note note-warn small" role="status">
          {note}
        </p>
      ))}
      {mutation.isError ? (
        <ErrorNote
          error={mutation.error}
          title={mutation.variables?.blocked ? "Access was not blocked." : "Access was not unblocked."}
        />
      ) : null}
    </div>
  );
}
