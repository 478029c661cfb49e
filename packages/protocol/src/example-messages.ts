import type { MessageKind, MessageOfKind } from "./message-kinds.js";
import type { AckMessage, CommandMessage, EventMessage, LockState, StateMessage, Unsigned } from "./schemas.js";
import { signMessage } from "./signing.js";
import { EXAMPLE_IDENTITIES, type ProtocolTestKeys } from "./test-keys.js";

/**
 * The published examples: one front-door visit on 25 November 2026, told message by message.
 * Every input is fixed (ids, times, keys) and Ed25519 signatures are deterministic, so the
 * generator writes the same bytes on every run.
 */

export interface SignedExample<K extends MessageKind = MessageKind> {
  name: string;
  kind: K;
  summary: string;
  message: MessageOfKind[K];
}

const { lockDeviceId: LOCK, cameraDeviceId: CAMERA } = EXAMPLE_IDENTITIES;
const VISIT = "vis_01m88ywxag7sg0apycryq44vn5";
const at = (hh: number, mm: number, ss: number, ms = 0) => Date.UTC(2026, 10, 25, hh, mm, ss, ms);

const COMMAND_IDS = {
  recordStart: "cmd_01m88yxtm041j9yxvqhcp5dskb",
  unlock: "cmd_01m88yxzg8n1dnzkbs4ytfzpyx",
  lock: "cmd_01m88yz1p0dcrkbtrzy42a6jfq",
  ping: "cmd_01m88yzn70rqznkg04s7h7w0ab",
  rotateKey: "cmd_01m88z6zk0ejmbez00brhhahf4",
} as const;

const LOCKED: LockState = { lock: "locked", door: "closed", battery: 87, autoRelockS: 30, lockedOut: false };

export function exampleMessages(keys: ProtocolTestKeys): SignedExample[] {
  const command = (
    name: string,
    summary: string,
    fields: Pick<Unsigned<CommandMessage>, "id" | "deviceId" | "issuedAt" | "action" | "params">,
  ): SignedExample<"command"> => {
    // The server's default time to live is 10 s; the protocol allows at most 30 s.
    const unsigned: Unsigned<CommandMessage> = {
      v: 1,
      id: fields.id,
      deviceId: fields.deviceId,
      kid: keys.server.kid,
      issuedAt: fields.issuedAt,
      expiresAt: fields.issuedAt + 10_000,
      action: fields.action,
      params: fields.params,
    };
    return { name, kind: "command", summary, message: signMessage(unsigned, keys.server.pair.privateKey) };
  };
  const bySender = (deviceId: string) => {
    const key = keys.devices.get(deviceId);
    if (!key) throw new Error(`no test key for ${deviceId}`);
    return key.pair.privateKey;
  };
  const ack = (name: string, summary: string, unsigned: Unsigned<AckMessage>): SignedExample<"ack"> => ({
    name,
    kind: "ack",
    summary,
    message: signMessage(unsigned, bySender(unsigned.deviceId)),
  });
  const event = (name: string, summary: string, unsigned: Unsigned<EventMessage>): SignedExample<"event"> => ({
    name,
    kind: "event",
    summary,
    message: signMessage(unsigned, bySender(unsigned.deviceId)),
  });
  const state = (name: string, summary: string, unsigned: Unsigned<StateMessage>): SignedExample<"state"> => ({
    name,
    kind: "state",
    summary,
    message: signMessage(unsigned, bySender(unsigned.deviceId)),
  });

  return [
    command("command.record_start", "The witness camera starts recording for a visit.", {
      id: COMMAND_IDS.recordStart,
      deviceId: CAMERA,
      issuedAt: at(9, 0, 0),
      action: "record_start",
      params: { visitId: VISIT },
    }),
    command("command.unlock", "Unlock the front door for a courier's visit.", {
      id: COMMAND_IDS.unlock,
      deviceId: LOCK,
      issuedAt: at(9, 0, 5),
      action: "unlock",
      params: { visitId: VISIT },
    }),
    command("command.lock", "Lock the door again once the courier has left.", {
      id: COMMAND_IDS.lock,
      deviceId: LOCK,
      issuedAt: at(9, 0, 40),
      action: "lock",
      params: { visitId: VISIT },
    }),
    command("command.ping", "Is the device there and does it still trust this key? Changes nothing.", {
      id: COMMAND_IDS.ping,
      deviceId: LOCK,
      issuedAt: at(9, 1, 0),
      action: "ping",
      params: {},
    }),
    command("command.rotate_key", "Trust the server's new key from now on; signed by the key trusted until now.", {
      id: COMMAND_IDS.rotateKey,
      deviceId: LOCK,
      issuedAt: at(9, 5, 0),
      action: "rotate_key",
      params: { newKid: keys.nextServer.kid, newPublicKey: keys.nextServer.publicKey },
    }),

    ack("ack.succeeded", "The lock unlocked; the ack carries the state it left the lock in.", {
      v: 1,
      deviceId: LOCK,
      commandId: COMMAND_IDS.unlock,
      status: "succeeded",
      at: at(9, 0, 5, 200),
      state: { ...LOCKED, lock: "unlocked" },
    }),
    ack("ack.failed-jammed", "The lock accepted the command but the bolt jammed.", {
      v: 1,
      deviceId: LOCK,
      commandId: COMMAND_IDS.lock,
      status: "failed",
      reason: "jammed",
      at: at(9, 0, 40, 900),
      state: { ...LOCKED, lock: "jammed" },
    }),
    ack(
      "ack.rejected-replayed",
      "The broker delivered the unlock command a second time (QoS 1); it is not run again.",
      {
        v: 1,
        deviceId: LOCK,
        commandId: COMMAND_IDS.unlock,
        status: "rejected",
        reason: "replayed",
        at: at(9, 0, 5, 400),
        state: { ...LOCKED, lock: "unlocked" },
      },
    ),

    event("event.camera.recording_started", "The camera is recording the visit.", {
      v: 1,
      deviceId: CAMERA,
      id: "evt_01m88yxtsmw6ypzts24t91831e",
      seq: 41,
      at: at(9, 0, 0, 180),
      type: "camera.recording_started",
      data: { visitId: VISIT },
    }),
    event("event.lock.unlocked", "The bolt moved to unlocked because of a command.", {
      v: 1,
      deviceId: LOCK,
      id: "evt_01m88yxzp689m9ypph5fyrhkes",
      seq: 17,
      at: at(9, 0, 5, 190),
      type: "lock.unlocked",
      data: { by: "command", commandId: COMMAND_IDS.unlock },
    }),
    event("event.door.opened", "The door sensor saw the door open.", {
      v: 1,
      deviceId: LOCK,
      id: "evt_01m88yy3gc3w17tgj9rhckkbje",
      seq: 18,
      at: at(9, 0, 9, 100),
      type: "door.opened",
      data: {},
    }),
    event("event.alarm.jammed", "The bolt could not reach its position (Matter DoorLock alarm LockJammed).", {
      v: 1,
      deviceId: LOCK,
      id: "evt_01m88yz2gj0ty6gaqnrkgjyf9k",
      seq: 20,
      at: at(9, 0, 40, 850),
      type: "alarm.jammed",
      data: {},
    }),

    state("state.lock", "A lock's reported state: sent on connect, on every change and as the heartbeat.", {
      v: 1,
      deviceId: LOCK,
      at: at(9, 0, 0),
      online: true,
      kind: "lock",
      firmware: "1.4.2",
      trustedKid: keys.server.kid,
      state: LOCKED,
    }),
    state("state.camera", "A camera's reported state while it records a visit.", {
      v: 1,
      deviceId: CAMERA,
      at: at(9, 0, 0, 185),
      online: true,
      kind: "camera",
      firmware: "2.0.1",
      trustedKid: keys.server.kid,
      state: { recording: true, visitId: VISIT, streaming: true },
    }),
    state("state.last-will", "The last will: signed when the lock connected, published by the broker when it drops.", {
      v: 1,
      deviceId: LOCK,
      at: at(6, 12, 40),
      online: false,
      kind: "lock",
      firmware: "1.4.2",
      trustedKid: keys.server.kid,
      state: LOCKED,
    }),
  ];
}
