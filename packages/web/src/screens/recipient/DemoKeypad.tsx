import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { api, unwrap } from "../../api";
import { Button } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";

/** Whether this server is `threshold demo` (GET /v1/demo answers only there). */
export function useIsDemo(): boolean {
  const demo = useQuery({
    queryKey: ["demo-logins"],
    queryFn: async () => {
      const result = await api.GET("/v1/demo");
      return result.response.ok && result.data ? result.data : null;
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
  return Boolean(demo.data);
}

const ANSWERS = {
  opened: { words: "Opened: the lock unlocked.", tone: "note-ok" },
  refused: { words: "Refused: wrong, not enabled, outside its times or already used.", tone: "note-warn" },
  locked_out: { words: "Refused: the keypad is locked out after too many wrong codes.", tone: "note-bad" },
  not_now: {
    words: "Not now: this guest key works only in its hours (not counted as a wrong code).",
    tone: "note-warn",
  },
} as const;

/**
 * The demo lock's keypad, in the browser: type a code as a courier or a guest would at the door.
 * Only on the demo (its locks are simulated in the server's process); what the keypad does, the
 * lock reports itself — an opened lock, a `pin.used`, a lockout alert.
 */
export function DemoKeypad({ deviceId, name }: { deviceId: string; name: string }) {
  const [code, setCode] = useState("");
  const inputId = useId();
  const type = useMutation({
    mutationFn: async (digits: string) =>
      unwrap(await api.POST("/v1/demo/keypad", { body: { deviceId, code: digits } })),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (/^[0-9]{1,16}$/.test(code)) type.mutate(code);
  };
  const answer = type.data ? ANSWERS[type.data.result] : null;
  return (
    <form className="stack rh-keypad" onSubmit={submit} aria-label={`Keypad of ${name} (demo)`}>
      <label htmlFor={inputId}>Keypad (demo): type a code</label>
      <div className="row">
        <input
          id={inputId}
          inputMode="numeric"
          autoComplete="off"
          pattern="[0-9]*"
          maxLength={16}
          value={code}
          onChange={(event) => setCode(event.target.value.replace(/\D/g, ""))}
        />
        <Button type="submit" pending={type.isPending} pendingLabel="Typing…" disabled={code.length === 0}>
          Enter
        </Button>
      </div>
      {answer && type.data ? (
        <p className={`note ${answer.tone}`} role="status">
          {answer.words}
          {type.data.result === "refused" && type.data.wrongInARow
            ? ` ${type.data.wrongInARow} wrong in a row${type.data.lockedOut ? "; the keypad is now locked out" : ""}.`
            : ""}
          {type.data.lockedOutUntil
            ? ` Try again after ${new Date(type.data.lockedOutUntil).toLocaleTimeString()}.`
            : ""}
        </p>
      ) : null}
      {type.isError ? <ErrorNote error={type.error} title="Not typed." /> : null}
    </form>
  );
}
