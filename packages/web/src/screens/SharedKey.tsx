import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { api, errorCode, errorMessage, unwrap } from "../api";
import { FullPageMessage, Spinner } from "../ui/feedback";
import { describeRules } from "./recipient/guest-keys-data";
import { PinDigits } from "./recipient/PinDigits";

/**
 * The page a guest opens from the link they were sent (docs/guest-keys.md): their PIN, the door
 * and when it works. No account: the link is the secret. Once the key ends, it says so and why;
 * while the owner has blocked all access, that the key is paused.
 */
export function SharedKey() {
  const { token = "" } = useParams();
  const key = useQuery({
    queryKey: ["shared-key", token],
    queryFn: async () => unwrap(await api.GET("/v1/shared-keys/{token}", { params: { path: { token } } })),
    retry: false,
    // "Works now" changes with the clock; a revoked key should disappear without a reload.
    refetchInterval: 60_000,
  });
  if (key.isPending) return <FullPageMessage>{<Spinner label="Opening your key…" />}</FullPageMessage>;
  if (key.isError) {
    const code = errorCode(key.error);
    const title =
      code === "guest_key_ended"
        ? "This key no longer works"
        : code === "guest_key_paused"
          ? "This key is paused"
          : "Key not found";
    return (
      <FullPageMessage>
        <div className="stack gk-shared">
          <h1>{title}</h1>
          <p>{errorMessage(key.error)}</p>
        </div>
      </FullPageMessage>
    );
  }
  const shared = key.data;
  return (
    <FullPageMessage>
      <div className="stack gk-shared">
        <p className="muted">Your key for</p>
        <h1>{shared.place}</h1>
        <PinDigits pin={shared.pin} large />
        <p>
          Type these digits on the lock's keypad. <strong>{describeRules(shared)}</strong>
        </p>
        <p className={`pill ${shared.worksNow ? "pill-ok" : "pill-warn"}`}>
          {shared.worksNow ? "Works now" : "Does not work right now"}
        </p>
        <p className="small muted">
          Given to {shared.name}. Keep this link to yourself: anyone who has it can see the PIN. Each use is shown to
          the person who gave you the key.
        </p>
      </div>
    </FullPageMessage>
  );
}
