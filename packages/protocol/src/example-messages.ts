import type { MessageKind, MessageOfKind } from "./message-kinds.js";
import { sealPin } from "./pin-seal.js";
import type {
  AckMessage,
  CommandMessage,
  EventMessage,
  GarageOpenerState,
  LockerControllerState,
  LockState,
  StateMessage,
  Unsigned,
  VehicleState,
} from "./schemas.js";
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

const {
  lockDeviceId: LOCK,
  cameraDeviceId: CAMERA,
  garageDeviceId: GARAGE,
  fridgeLockDeviceId: FRIDGE,
  lockerDeviceId: LOCKER,
  vehicleDeviceId: VEHICLE,
} = EXAMPLE_IDENTITIES;
const VISIT = "vis_01m88ywxag7sg0apycryq44vn5";
const at = (hh: number, mm: number, ss: number, ms = 0) => Date.UTC(2026, 10, 25, hh, mm, ss, ms);

const COMMAND_IDS = {
  recordStart: "cmd_01m88yxtm041j9yxvqhcp5dskb",
  unlock: "cmd_01m88yxzg8n1dnzkbs4ytfzpyx",
  lock: "cmd_01m88yz1p0dcrkbtrzy42a6jfq",
  ping: "cmd_01m88yzn70rqznkg04s7h7w0ab",
  rotateKey: "cmd_01m88z6zk0ejmbez00brhhahf4",
  // Codes (issue 6)
  pinSet: "cmd_01m88ya0g0bxz3m3v1r6ktq2fe",
  pinEnable: "cmd_01m88yxzg8d6q2mzs1a4vh7c3k",
  pinRemove: "cmd_01m88z10g0m5j8w2eqy3ncr9tb",
  guestPinSet: "cmd_01m88w2k3q5w7y9b1d3f5h7j9m",
  offlineCodeRevoke: "cmd_01m88z2a0c7s3e9k1m5p8v2trx",
} as const;

// --- Codes (issue 6): one retailer code for the same visit, and the lock's report of its use. ---
const ACCESS_CODE = "acc_01m88ya0fzp3v6h1kd8ew2qg5n";
/** The published example lock's pairing secret (bytes 0x00…0x1f): examples only, like the test keys. */
export const EXAMPLE_OFFLINE_SECRET = Uint8Array.from({ length: 32 }, (_, i) => i);
const EXAMPLE_PIN = "58291736";
const EXAMPLE_NONCE = Buffer.from("000102030405060708090a0b", "hex");
/** A guest key (docs/guest-keys.md): the cleaner's, on weekdays from 9:00 to 13:00. */
const GUEST_KEY = "gky_01m88w2k0a7c9e1g3j5m7p9r1t";
const EXAMPLE_GUEST_PIN = "734819";
/** An offline code (docs/offline-codes.md) its carrier withdrew. */
const OFFLINE_CODE = "acc_01m88z2b4d6f8h0k2m4p6r8t0v";
// --- end of codes ---

const LOCKED: LockState = { lock: "locked", door: "closed", battery: 87, autoRelockS: 30, lockedOut: false };

// A garage delivery later that morning (docs/garage-and-fridge.md): the opener opens the door, and
// the courier's close is reversed by something in the doorway.
const GARAGE_VISIT = "vis_01m8b15zg209yqm1hzct6cg5vn";
const GARAGE_COMMAND_IDS = { open: "cmd_01m8b15qtgw6cj62cqzc1qfvkp", close: "cmd_01m8b175c7hkcrye8d0ca1nkqr" } as const;
const GARAGE_CLOSED: GarageOpenerState = { door: "closed", obstructed: false, autoCloseS: 600 };
const FRIDGE_LOCKED: LockState = { ...LOCKED, battery: 64, autoRelockS: 0, temperatureC: 4 };

/** What every group of examples signs its messages with. */
interface ExampleBuilders {
  serverKid: string;
  command(
    name: string,
    summary: string,
    fields: Pick<Unsigned<CommandMessage>, "id" | "deviceId" | "issuedAt" | "action" | "params">,
  ): SignedExample<"command">;
  ack(name: string, summary: string, unsigned: Unsigned<AckMessage>): SignedExample<"ack">;
  event(name: string, summary: string, unsigned: Unsigned<EventMessage>): SignedExample<"event">;
  state(name: string, summary: string, unsigned: Unsigned<StateMessage>): SignedExample<"state">;
}

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
  const builders: ExampleBuilders = { serverKid: keys.server.kid, command, ack, event, state };

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

    // --- Codes (issue 6) ---
    command("command.pin_set", "Program a one-time keypad code, disabled, valid only in the delivery window.", {
      id: COMMAND_IDS.pinSet,
      deviceId: LOCK,
      issuedAt: at(7, 30, 0),
      action: "pin_set",
      params: {
        codeId: ACCESS_CODE,
        pinSealed: sealPin(EXAMPLE_OFFLINE_SECRET, LOCK, ACCESS_CODE, EXAMPLE_PIN, EXAMPLE_NONCE),
        validFrom: at(8, 0, 0),
        validUntil: at(12, 0, 0),
      },
    }),
    command(
      "command.pin_enable",
      "The courier checked in, every rule passed and the camera records: the code opens the lock once in the next minute.",
      {
        id: COMMAND_IDS.pinEnable,
        deviceId: LOCK,
        issuedAt: at(9, 0, 5),
        action: "pin_enable",
        params: { codeId: ACCESS_CODE, visitId: VISIT, enabledUntil: at(9, 1, 5) },
      },
    ),
    command("command.pin_remove", "The code was used (or expired): take it off the lock.", {
      id: COMMAND_IDS.pinRemove,
      deviceId: LOCK,
      issuedAt: at(9, 0, 41),
      action: "pin_remove",
      params: { codeId: ACCESS_CODE },
    }),
    event(
      "event.pin.used",
      "The courier typed the enabled code; the lock unlocked. The PIN itself is never reported.",
      {
        v: 1,
        deviceId: LOCK,
        id: "evt_01m88yy1v8n2k5qz7c3r9xw4hd",
        seq: 17,
        at: at(9, 0, 12, 40),
        type: "pin.used",
        data: { kind: "online", codeId: ACCESS_CODE },
      },
    ),
    event(
      "event.pin.used-offline",
      "A code derived offline (docs/offline-codes.md) opened the lock while it had no network; reported on reconnection.",
      {
        v: 1,
        deviceId: LOCK,
        id: "evt_01m88yy2a0c7s3e9k1m5p8v2tq",
        seq: 3,
        at: at(9, 20, 3),
        type: "pin.used",
        data: { kind: "offline", slot: 498777, counter: 0 },
      },
    ),
    command(
      "command.offline_code_revoke",
      "The carrier withdrew an offline code while the lock is reachable: refuse that hour's code from now on, as if it were used. Acknowledged once the refusal is on disk.",
      {
        id: COMMAND_IDS.offlineCodeRevoke,
        deviceId: LOCK,
        issuedAt: at(8, 45, 0),
        action: "offline_code_revoke",
        params: { codeId: OFFLINE_CODE, slot: 498777, counter: 1 },
      },
    ),
    command(
      "command.pin_set-guest",
      "The recipient gave the cleaner a guest key for weekdays 9:00–13:00, their local time (Matter WeekDaySchedule user); it opens by itself inside those hours.",
      {
        id: COMMAND_IDS.guestPinSet,
        deviceId: LOCK,
        issuedAt: at(7, 0, 0),
        action: "pin_set",
        params: {
          codeId: GUEST_KEY,
          pinSealed: sealPin(EXAMPLE_OFFLINE_SECRET, LOCK, GUEST_KEY, EXAMPLE_GUEST_PIN, EXAMPLE_NONCE),
          userType: "week_day_schedule",
          validFrom: at(7, 0, 0),
          validUntil: 253_402_300_799_999,
          weekDays: [1, 2, 3, 4, 5],
          startMinute: 540,
          endMinute: 780,
          timeZone: "Europe/Amsterdam",
        },
      },
    ),
    event("event.pin.used-guest", "The cleaner typed their guest key; the lock unlocked and tells the recipient.", {
      v: 1,
      deviceId: LOCK,
      id: "evt_01m88yy4c2e4g6j8m0p2r4t6w8",
      seq: 25,
      at: at(10, 2, 0),
      type: "pin.used",
      data: { kind: "guest", codeId: GUEST_KEY },
    }),
    event(
      "event.alarm.wrong_code_limit",
      "Five wrong codes in a row: the keypad locks out (Matter WrongCodeEntryLimit).",
      {
        v: 1,
        deviceId: LOCK,
        id: "evt_01m88yy3v0g6w2c8n4t1q9z5rb",
        seq: 21,
        at: at(9, 10, 0),
        type: "alarm.wrong_code_limit",
        data: { attempts: 5, lockoutS: 300 },
      },
    ),
    // --- end of codes ---

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
    ...garageAndFridgeExamples(builders),
    ...lockerExamples(builders),
    ...vehicleExamples(builders),
  ];
}

// A parcel locker bank at 11:00 (docs/lockers.md): a courier's deposit into compartment 7, and a
// pickup the controller allowed while offline, reported when it was back.
const LOCKER_COMMAND_IDS = {
  open: "cmd_01m895shw05dt7pqg7tn5j39pj",
  jammed: "cmd_01m895vcf0m6z38gnskn83wtaf",
} as const;
const lockerAt = (mm: number, ss: number) => at(11, mm, ss);
const LOCKER_STATE: LockerControllerState = {
  compartments: [
    { n: 7, door: "closed", occupied: true, jammed: false, deposits: 42 },
    { n: 8, door: "closed", occupied: false, jammed: true, deposits: 3 },
  ],
  lockedOut: false,
  offlineLog: 1,
};

function lockerExamples({ serverKid, command, ack, event, state }: ExampleBuilders): SignedExample[] {
  return [
    command("command.compartment_open", "Open compartment 7 of a locker bank for a courier's deposit.", {
      id: LOCKER_COMMAND_IDS.open,
      deviceId: LOCKER,
      issuedAt: lockerAt(0, 0),
      action: "compartment_open",
      params: { compartment: 7, purpose: "deposit" },
    }),
    command("command.compartment_open-jammed", "Open compartment 8, whose latch is stuck.", {
      id: LOCKER_COMMAND_IDS.jammed,
      deviceId: LOCKER,
      issuedAt: lockerAt(1, 0),
      action: "compartment_open",
      params: { compartment: 8, purpose: "deposit" },
    }),
    ack("ack.compartment-opened", "The latch of compartment 7 released; the door is ajar.", {
      v: 1,
      deviceId: LOCKER,
      commandId: LOCKER_COMMAND_IDS.open,
      status: "succeeded",
      at: lockerAt(0, 0),
    }),
    ack("ack.failed-jammed-compartment", "Compartment 8's latch did not release: the courier is sent to another.", {
      v: 1,
      deviceId: LOCKER,
      commandId: LOCKER_COMMAND_IDS.jammed,
      status: "failed",
      reason: "jammed",
      at: lockerAt(1, 1),
    }),
    event("event.compartment.opened", "Compartment 7 opened because of a command.", {
      v: 1,
      deviceId: LOCKER,
      id: "evt_01m895sjbm7cz7ycz9kggaz1b8",
      seq: 11,
      at: lockerAt(0, 0),
      type: "compartment.opened",
      data: { compartment: 7, by: "command", commandId: LOCKER_COMMAND_IDS.open },
    }),
    event(
      "event.compartment.closed",
      "The courier closed compartment 7 with a parcel inside: deposit number 42, whose pickup code the server and the controller both derive.",
      {
        v: 1,
        deviceId: LOCKER,
        id: "evt_01m895w9rge4vx1hzandmcjnzt",
        seq: 12,
        at: lockerAt(1, 30),
        type: "compartment.closed",
        data: { compartment: 7, occupied: true, deposits: 42, deposited: true },
      },
    ),
    event(
      "event.pickup.offline",
      "While the bank had no network, the controller checked a pickup code itself and opened compartment 7: entry 1 of its durable log, sent when it was back online.",
      {
        v: 1,
        deviceId: LOCKER,
        id: "evt_01m8997dg0ehpm7nsysc336z82",
        seq: 0,
        at: at(12, 0, 0),
        type: "pickup.offline",
        data: { compartment: 7, deposits: 42, log: 1, at: at(12, 0, 0) },
      },
    ),
    state(
      "state.locker_controller",
      "A locker controller's report: each compartment's door, occupancy, jam and deposit counter.",
      {
        v: 1,
        deviceId: LOCKER,
        at: at(12, 0, 1),
        online: true,
        kind: "locker_controller",
        firmware: "0.9.0",
        trustedKid: serverKid,
        state: LOCKER_STATE,
      },
    ),
  ];
}

/** The garage opener's and the fridge lock's messages, kept apart so the front door's story reads alone. */
function garageAndFridgeExamples({ serverKid, command, ack, event, state }: ExampleBuilders): SignedExample[] {
  return [
    command("command.open", "Open the garage door for a courier's visit; acked once the door is fully open.", {
      id: GARAGE_COMMAND_IDS.open,
      deviceId: GARAGE,
      issuedAt: at(10, 0, 5),
      action: "open",
      params: { visitId: GARAGE_VISIT },
    }),
    command("command.close", "Close the garage door again; acked once it is fully closed, or reversed.", {
      id: GARAGE_COMMAND_IDS.close,
      deviceId: GARAGE,
      issuedAt: at(10, 1, 0),
      action: "close",
      params: { visitId: GARAGE_VISIT },
    }),
    ack("ack.garage-opened", "The garage door has travelled all the way open.", {
      v: 1,
      deviceId: GARAGE,
      commandId: GARAGE_COMMAND_IDS.open,
      status: "succeeded",
      at: at(10, 0, 13),
      state: { ...GARAGE_CLOSED, door: "open" },
    }),
    ack("ack.failed-obstructed", "Something broke the safety beam while the door closed: it reversed.", {
      v: 1,
      deviceId: GARAGE,
      commandId: GARAGE_COMMAND_IDS.close,
      status: "failed",
      reason: "obstructed",
      at: at(10, 1, 4),
      state: { ...GARAGE_CLOSED, door: "opening", obstructed: true },
    }),
    event("event.garage.opened", "The garage door reached fully open because of a command.", {
      v: 1,
      deviceId: GARAGE,
      id: "evt_01m8b15chwzb117gqcgwngttzh",
      seq: 8,
      at: at(10, 0, 13),
      type: "garage.opened",
      data: { by: "command", commandId: GARAGE_COMMAND_IDS.open },
    }),
    event("event.alarm.obstructed", "The safety beam was broken while the door closed; the door reversed.", {
      v: 1,
      deviceId: GARAGE,
      id: "evt_01m8b1yyz9rzkxmqarhmszaj0w",
      seq: 10,
      at: at(10, 1, 4),
      type: "alarm.obstructed",
      data: { reversed: true },
    }),
    state("state.garage_opener", "A garage opener at rest with its door closed, auto-close after 10 minutes.", {
      v: 1,
      deviceId: GARAGE,
      at: at(10, 0, 0),
      online: true,
      kind: "garage_opener",
      firmware: "3.2.0",
      trustedKid: serverKid,
      state: GARAGE_CLOSED,
    }),
    event("event.temperature.reported", "A fridge lock's inside temperature changed by half a degree or more.", {
      v: 1,
      deviceId: FRIDGE,
      id: "evt_01m8b13b17qqz3c9h0vz4ye6qq",
      seq: 3,
      at: at(10, 5, 0),
      type: "temperature.reported",
      data: { temperatureC: 4.5 },
    }),
    state("state.lock-fridge", "A fridge's lock: a lock that also reports the temperature inside.", {
      v: 1,
      deviceId: FRIDGE,
      at: at(10, 0, 0),
      online: true,
      kind: "lock",
      firmware: "1.4.2",
      trustedKid: serverKid,
      state: FRIDGE_LOCKED,
    }),
  ];
}

// A trunk delivery that afternoon (docs/in-car-delivery.md): the car, parked near the home, releases
// its trunk for the courier and locks again once the lid is shut.
const TRUNK_VISIT = "vis_01m8bk0v2g7t3pq9zyd1w5c8hn";
const VEHICLE_COMMAND_IDS = {
  unlockTrunk: "cmd_01m8bk0x6r4s2mq7vb9tze3kd1",
  lock: "cmd_01m8bk1e3c5n8wq2hy6xzk0ra4",
} as const;
const CAR_PARKED: VehicleState = {
  drive: "parked",
  position: { lat: 52.37312, lng: 4.89245, accuracyM: 5 },
  locks: "locked",
  doors: "closed",
  trunk: "closed",
};

/** The car's messages: a trunk opened for a courier and locked again, and a car that drives off. */
function vehicleExamples({ serverKid, command, ack, event, state }: ExampleBuilders): SignedExample[] {
  return [
    command("command.unlock_trunk", "Release the trunk of a parked car for a courier's visit; the doors stay locked.", {
      id: VEHICLE_COMMAND_IDS.unlockTrunk,
      deviceId: VEHICLE,
      issuedAt: at(14, 0, 5),
      action: "unlock_trunk",
      params: { visitId: TRUNK_VISIT },
    }),
    ack("ack.trunk-unlocked", "The car released its trunk lock; the courier may lift the lid.", {
      v: 1,
      deviceId: VEHICLE,
      commandId: VEHICLE_COMMAND_IDS.unlockTrunk,
      status: "succeeded",
      at: at(14, 0, 6),
      state: { ...CAR_PARKED, locks: "trunk_unlocked" },
    }),
    ack("ack.failed-driving", "The car is being driven: the trunk stays locked.", {
      v: 1,
      deviceId: VEHICLE,
      commandId: VEHICLE_COMMAND_IDS.unlockTrunk,
      status: "failed",
      reason: "driving",
      at: at(14, 0, 6),
      state: { ...CAR_PARKED, drive: "driving" },
    }),
    command("command.lock-vehicle", "Lock the whole car once the courier has closed the trunk.", {
      id: VEHICLE_COMMAND_IDS.lock,
      deviceId: VEHICLE,
      issuedAt: at(14, 1, 30),
      action: "lock",
      params: { visitId: TRUNK_VISIT },
    }),
    event("event.trunk.opened", "The trunk lid was lifted.", {
      v: 1,
      deviceId: VEHICLE,
      id: "evt_01m8bk0z3q8w1ec5r7tmy2k6vd",
      seq: 4,
      at: at(14, 0, 20),
      type: "trunk.opened",
      data: {},
    }),
    event("event.vehicle.driving", "The ignition went on: the car is being driven.", {
      v: 1,
      deviceId: VEHICLE,
      id: "evt_01m8bk2a9d6h3xk8p1rvz5qw0c",
      seq: 7,
      at: at(14, 5, 0),
      type: "vehicle.driving",
      data: { lat: 52.37312, lng: 4.89245 },
    }),
    state("state.vehicle", "A car parked and locked, with its position fix.", {
      v: 1,
      deviceId: VEHICLE,
      at: at(14, 0, 0),
      online: true,
      kind: "vehicle",
      firmware: "bridge-1.0.0",
      trustedKid: serverKid,
      state: CAR_PARKED,
    }),
  ];
}
