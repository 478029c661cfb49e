import { requestControl, startControlSocket } from "../control-socket.js";
import type { LockAgent } from "../lock-agent.js";
import type { KeypadVerdict } from "./keypad.js";

/** The socket a running fleet listens on, in its state directory, so `threshold keypad type` can reach its locks. */
export const KEYPAD_SOCKET_NAME = "keypad.sock";

interface KeypadRequest {
  device?: string;
  code: string;
}

export type KeypadAnswer = { ok: true; device: string; verdict: KeypadVerdict } | { ok: false; error: string };

/**
 * Stands in for fingers on the keypads of a running fleet's simulated locks: a Unix socket (mode
 * 0600, so only the user running the fleet can type) that takes one JSON line, `{"device", "code"}`,
 * types the code on that lock and answers with what the keypad did.
 */
export async function startKeypadSocket(
  path: string,
  locks: () => ReadonlyMap<string, LockAgent>,
): Promise<{ close(): Promise<void> }> {
  return startControlSocket(path, (line) => answer(line, locks()));
}

async function answer(line: string, locks: ReadonlyMap<string, LockAgent>): Promise<KeypadAnswer> {
  let request: KeypadRequest;
  try {
    request = JSON.parse(line) as KeypadRequest;
  } catch {
    return { ok: false, error: "the request is not JSON" };
  }
  if (typeof request.code !== "string" || !/^[0-9]{1,16}$/.test(request.code)) {
    return { ok: false, error: "a code is 1 to 16 digits" };
  }
  const names = [...locks.keys()];
  const name = request.device ?? (names.length === 1 ? names[0] : undefined);
  const lock = name === undefined ? undefined : locks.get(name);
  if (!lock || name === undefined) {
    return { ok: false, error: `name one of the locks with --device: ${names.join(", ") || "(none running)"}` };
  }
  return { ok: true, device: name, verdict: await lock.enterCode(request.code) };
}

/** Types `code` on a lock of the fleet listening at `path`. */
export function typeOnKeypad(path: string, code: string, device?: string): Promise<KeypadAnswer> {
  return requestControl<KeypadAnswer>(path, { code, ...(device ? { device } : {}) }, "locks");
}
