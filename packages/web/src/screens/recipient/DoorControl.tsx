import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, errorMessage, unwrap } from "../../api";
import { Button } from "../../ui/button";
import { type AccessPoint, recipientKeys } from "./home-data";

type Action = "open" | "secure";

const REASON_WORDS: Record<string, string> = {
  door_open: "the door is open: close it first",
  jammed: "the bolt is jammed",
  obstructed: "something is in the doorway",
  low_battery: "the battery is too low",
  no_ack: "it did not answer: it may be offline",
};

/**
 * The owner's own lock and unlock (a garage: close and open), from the door's card. A signed
 * command like any other, recorded under their name; unlocking asks once more, since anyone at the
 * door can then walk in.
 */
export function DoorControl({ accessPoint }: { accessPoint: Pick<AccessPoint, "id" | "name" | "kind" | "siteId"> }) {
  const queryClient = useQueryClient();
  const garage = accessPoint.kind === "garage";
  const [confirming, setConfirming] = useState(false);
  const control = useMutation({
    mutationFn: async (action: Action) =>
      unwrap(
        await api.POST(action === "open" ? "/v1/access-points/{id}/open" : "/v1/access-points/{id}/secure", {
          params: { path: { id: accessPoint.id } },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: recipientKeys.devices(accessPoint.siteId) }),
  });
  const result = control.data;
  const words = garage ? { open: "Open", secure: "Close" } : { open: "Unlock", secure: "Lock" };
  return (
    <div className="stack">
      <div className="row">
        <Button
          variant="secondary"
          pending={control.isPending && control.variables === "secure"}
          pendingLabel={garage ? "Closing…" : "Locking…"}
          disabled={control.isPending}
          onClick={() => {
            setConfirming(false);
            control.mutate("secure");
          }}
        >
          {words.secure}
          <span className="rh-visually-hidden"> {accessPoint.name}</span>
        </Button>
        {!confirming ? (
          <Button variant="ghost" disabled={control.isPending} onClick={() => setConfirming(true)}>
            {words.open}
            <span className="rh-visually-hidden"> {accessPoint.name}</span>
          </Button>
        ) : null}
      </div>
      {confirming ? (
        <div className="note note-warn stack" role="alertdialog" aria-label={`${words.open} ${accessPoint.name}?`}>
          <p>
            {words.open} {accessPoint.name} now? Anyone at the door can walk in until it is{" "}
            {garage ? "closed" : "locked"} again.
          </p>
          <div className="row">
            <Button
              variant="danger"
              pending={control.isPending}
              pendingLabel={garage ? "Opening…" : "Unlocking…"}
              onClick={() => control.mutate("open", { onSettled: () => setConfirming(false) })}
            >
              {words.open} now
            </Button>
            <Button variant="ghost" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
      <p role="status" className="small">
        {result?.status === "succeeded"
          ? result.action === "open"
            ? `${accessPoint.name} is ${garage ? "open" : "unlocked"}.`
            : `${accessPoint.name} is ${garage ? "closed" : "locked"}.`
          : result
            ? `Not done: ${REASON_WORDS[result.reason ?? ""] ?? result.reason ?? result.status}.`
            : ""}
      </p>
      {control.isError ? <p className="note note-error">{errorMessage(control.error)}</p> : null}
    </div>
  );
}
