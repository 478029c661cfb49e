import { type AccessCode, groupDigits, useAccessCodes } from "../../access-codes";
import type { Stop } from "./stops-data";

/**
 * The keypad code of this stop the server shows its courier: a live code with its digits (the
 * server gives them to the assigned courier only, and only while the code is valid). Null when
 * the stop has none: the door opens by the scan alone.
 */
export function useStopCode(stop: Stop): AccessCode | null {
  const codes = useAccessCodes(stop.shipmentId, { enabled: stop.method === "in_home" && !stop.deliveredAt });
  return codes.data?.find((code) => code.code && (code.status === "set" || code.status === "issued")) ?? null;
}

/** How this door opens when it has a code: scan, then type; or, offline, type alone. */
export function StopCode({ code }: { code: AccessCode }) {
  if (code.kind === "offline") {
    return (
      <section className="note note-warn stop-code" aria-label="Keypad code">
        <p>
          <strong>The lock is offline.</strong> Type this code on the keypad; it opens once, until{" "}
          {new Date(code.validUntil).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}:
        </p>
        <p className="code-digits">{groupDigits(code.code ?? "")}</p>
        <p className="small">
          Lock the door behind you and make sure it is closed: the lock reports it when it is back.
        </p>
      </section>
    );
  }
  return (
    <section className="note stop-code" aria-label="Keypad code">
      <p>
        <strong>This door opens with a keypad code.</strong> Scan the package first; once every check has passed, type:
      </p>
      <p className="code-digits">{groupDigits(code.code ?? "")}</p>
    </section>
  );
}
