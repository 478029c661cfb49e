import { useMutation } from "@tanstack/react-query";
import { api, errorCode, unwrap } from "../../api";
import { Button } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { useIsDemo } from "../recipient/DemoKeypad";

/**
 * Demo only: the hands at the simulated locker bank. The controller then reports, signed, what its
 * door and occupancy sensors see, exactly as a real one would; nothing here tells the server
 * "delivered" or "picked up" directly. Like the demo keypad, the hands need a demo login; the
 * kiosk itself does not, so an anonymous kiosk is told to sign in.
 */
export function DemoHands({
  bankId,
  compartment,
  intent,
}: {
  bankId: string;
  compartment: number;
  intent: "put" | "take";
}) {
  const demo = useIsDemo();
  const act = useMutation({
    mutationFn: async () => {
      unwrap(await api.POST("/v1/demo/locker", { body: { bankId, compartment, action: intent } }));
      unwrap(await api.POST("/v1/demo/locker", { body: { bankId, compartment, action: "close" } }));
    },
  });
  if (!demo) return null;
  return (
    <div className="stack small">
      <Button variant="secondary" pending={act.isPending} disabled={act.isSuccess} onClick={() => act.mutate()}>
        {intent === "put" ? "Demo: put the parcel in and close the door" : "Demo: take the parcel and close the door"}
      </Button>
      {act.isSuccess ? <p className="note note-ok">Door closed. The locker reported what it sees.</p> : null}
      {act.isError && errorCode(act.error) === "unauthenticated" ? (
        <p className="note note-error" role="alert">
          The demo's hands need a demo login: sign in to a demo account in this browser, then try again.
        </p>
      ) : act.isError ? (
        <ErrorNote error={act.error} />
      ) : null}
    </div>
  );
}
