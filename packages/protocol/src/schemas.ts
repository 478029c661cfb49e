import { ID_BODY_PATTERN, KEYPAD_USER_TYPES } from "@threshold/core";
import Type, { type Static } from "typebox";

/**
 * Message schemas of protocol v1. They are the single source for the JSON Schemas in
 * docs/protocol/ (generated) and for validation on both sides of the wire.
 */

const DeviceId = Type.String({ pattern: `^dev_${ID_BODY_PATTERN}$`, description: "The device's id, as in its topic." });
const CommandId = Type.String({ pattern: `^cmd_${ID_BODY_PATTERN}$` });
const EpochMs = Type.Integer({ minimum: 0, description: "Milliseconds since the Unix epoch, UTC." });
const Signature = Type.String({
  pattern: "^[A-Za-z0-9_-]{86}$",
  description: "Ed25519 signature, base64url, over the canonical JSON of the message without `sig`.",
});
const Kid = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: "^[A-Za-z0-9_-]+$",
  description: "Id of the server key.",
});
const PublicKey = Type.String({
  pattern: "^[A-Za-z0-9_-]{43}$",
  description: "Raw 32-byte Ed25519 public key, base64url.",
});

/**
 * The most compartments one locker controller drives: its state report of all of them must stay
 * under MAX_MESSAGE_BYTES (about 70 bytes each). A bigger bank runs several controllers.
 */
export const MAX_COMPARTMENTS = 128;

/** Device kinds whose reported state protocol v1 defines so far; locker controllers and vehicles come with their issues. */
export const PROTOCOL_DEVICE_KINDS = [
  "lock",
  "camera",
  // Access points beyond the front door (docs/garage-and-fridge.md).
  "garage_opener",
  // Parcel lockers (docs/lockers.md).
  "locker_controller",
  // Cars: a car maker's connected-car service, bridged (docs/in-car-delivery.md).
  "vehicle",
] as const;
export type ProtocolDeviceKind = (typeof PROTOCOL_DEVICE_KINDS)[number];

// --- Codes (issue 6): keypad users the server programs into a lock (docs/access-codes.md). ---
export const KEYPAD_COMMAND_ACTIONS = ["pin_set", "pin_enable", "pin_remove", "offline_code_revoke"] as const;
const AccessCodeId = Type.String({
  pattern: `^(acc|gky)_${ID_BODY_PATTERN}$`,
  description: "The keypad user this command or event concerns: a retailer code (acc_…) or a guest key (gky_…).",
});
const SealedPin = Type.String({
  pattern: "^[A-Za-z0-9_-]{40,80}$",
  description:
    "The PIN, sealed for this lock (AES-256-GCM under a key derived from the lock's pairing secret; docs/access-codes.md). Never the PIN in clear.",
});
const KeypadParams = {
  codeId: Type.Optional(AccessCodeId),
  pinSealed: Type.Optional(SealedPin),
  validFrom: Type.Optional(Type.Integer({ minimum: 0, description: "pin_set: the code is refused before this time." })),
  validUntil: Type.Optional(
    Type.Integer({ minimum: 0, description: "pin_set: the code is refused from this time on." }),
  ),
  enabledUntil: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: "pin_enable: the code, programmed disabled, opens the lock until this time (one use).",
    }),
  ),
  // Guest keys (docs/guest-keys.md): Matter's DoorLock user types.
  userType: Type.Optional(
    Type.Enum(KEYPAD_USER_TYPES, {
      description:
        "pin_set: how the lock holds the user. delivery (default): a retailer one-time code, disabled until a pin_enable. The others open by themselves inside validFrom–validUntil: unrestricted (a permanent guest key), week_day_schedule (only on weekDays between startMinute and endMinute local time), year_day_schedule (a temporary key), disposable (one use), expiring (stops expiresAfterUseS after its first use).",
    }),
  ),
  weekDays: Type.Optional(
    Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
      description: "week_day_schedule: ISO weekdays, 1 = Monday.",
    }),
  ),
  startMinute: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1439, description: "week_day_schedule: minutes after local midnight." }),
  ),
  endMinute: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1440, description: "week_day_schedule: after startMinute, same day." }),
  ),
  timeZone: Type.Optional(
    Type.String({ maxLength: 64, description: "week_day_schedule: the IANA time zone of the lock's site." }),
  ),
  expiresAfterUseS: Type.Optional(
    Type.Integer({ minimum: 60, maximum: 31_536_000, description: "expiring: seconds from the first use." }),
  ),
  // Offline codes withdrawn through their lock (docs/offline-codes.md#withdrawing).
  slot: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: "offline_code_revoke: the hour of the offline code to refuse from now on (unix seconds / 3600).",
    }),
  ),
  counter: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 15, description: "offline_code_revoke: the code's counter in that hour." }),
  ),
};
// --- end of codes ---

/** Why a locker compartment is opened (docs/lockers.md). */
export const COMPARTMENT_OPEN_PURPOSES = ["deposit", "pickup", "collect", "return_drop", "audit"] as const;

export const COMMAND_ACTIONS = [
  "unlock",
  "lock",
  "record_start",
  "record_stop",
  "rotate_key",
  "ping",
  // Garage openers (docs/garage-and-fridge.md): acked once the door has stopped moving.
  "open",
  "close",
  // Cars (docs/in-car-delivery.md): release the trunk lid's lock only; `lock` locks the whole car.
  "unlock_trunk",
  ...KEYPAD_COMMAND_ACTIONS,
  // Locker controllers (docs/lockers.md): open one compartment's door; acked once the latch released.
  "compartment_open",
] as const;
export type CommandAction = (typeof COMMAND_ACTIONS)[number];

export const CommandParams = Type.Object(
  {
    visitId: Type.Optional(Type.String({ maxLength: 64 })),
    newKid: Type.Optional(Kid),
    newPublicKey: Type.Optional(PublicKey),
    ...KeypadParams,
    compartment: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_COMPARTMENTS,
        description: "compartment_open: the number of the compartment to open, as printed on its door.",
      }),
    ),
    purpose: Type.Optional(
      Type.Enum(COMPARTMENT_OPEN_PURPOSES, {
        description:
          "compartment_open: why it opens. Only a deposit or return_drop door that closes on something counts a new deposit (and so a new pickup code).",
      }),
    ),
  },
  { additionalProperties: false },
);

export const CommandMessage = Type.Object(
  {
    v: Type.Literal(1),
    id: CommandId,
    deviceId: DeviceId,
    kid: Kid,
    issuedAt: EpochMs,
    expiresAt: EpochMs,
    action: Type.Enum(COMMAND_ACTIONS),
    params: CommandParams,
    sig: Signature,
  },
  { additionalProperties: false, description: "A signed instruction from the server to one device." },
);
export type CommandMessage = Static<typeof CommandMessage>;

export const ACK_STATUSES = ["succeeded", "failed", "rejected"] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];

/** Why a device refused or failed a command. */
export const ACK_REASONS = [
  "malformed",
  "wrong_device",
  "bad_signature",
  "unknown_key",
  "expired",
  "not_yet_valid",
  "ttl_too_long",
  "replayed",
  "replay_cache_full",
  "jammed",
  "door_open",
  "low_battery",
  "unsupported",
  // Garage openers: the safety beam is broken, so the door will not close (or reversed while closing).
  "obstructed",
  // Codes (issue 6): pin_enable or pin_remove named a code the lock does not hold; a sealed PIN did not open.
  "unknown_code",
  "bad_code",
  // Locker controllers: the bank has no compartment with that number.
  "unknown_compartment",
  // Cars: the car is being driven, so the trunk stays locked.
  "driving",
] as const;
export type AckReason = (typeof ACK_REASONS)[number];

export const LockState = Type.Object(
  {
    lock: Type.Union([Type.Literal("locked"), Type.Literal("unlocked"), Type.Literal("jammed")]),
    door: Type.Union([Type.Literal("open"), Type.Literal("closed")]),
    battery: Type.Integer({ minimum: 0, maximum: 100 }),
    autoRelockS: Type.Integer({ minimum: 0, maximum: 3600 }),
    lockedOut: Type.Boolean({ description: "Keypad is in wrong-code lockout." }),
    // A lock on a fridge or cooler also reports its inside temperature (docs/garage-and-fridge.md).
    temperatureC: Type.Optional(
      Type.Number({
        minimum: -50,
        maximum: 100,
        description: "Fridge and cooler locks only: the temperature inside, in degrees Celsius.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type LockState = Static<typeof LockState>;

export const CameraState = Type.Object(
  {
    recording: Type.Boolean(),
    visitId: Type.Optional(Type.String({ maxLength: 64 })),
    streaming: Type.Boolean({ description: "The camera is producing video." }),
  },
  { additionalProperties: false },
);
export type CameraState = Static<typeof CameraState>;

/** Where a garage door is. Whether something blocks the doorway is a separate fact (obstructed). */
export const GARAGE_DOOR_POSITIONS = ["closed", "opening", "open", "closing"] as const;
export type GarageDoorPosition = (typeof GARAGE_DOOR_POSITIONS)[number];

export const GarageOpenerState = Type.Object(
  {
    door: Type.Enum(GARAGE_DOOR_POSITIONS, {
      description: "closed and open are at rest; opening and closing are moving.",
    }),
    obstructed: Type.Boolean({
      description: "The safety beam across the doorway is broken: a closing door reverses, and it will not close.",
    }),
    autoCloseS: Type.Integer({
      minimum: 0,
      maximum: 3600,
      description: "The door closes by itself this long after it opened fully; 0 turns auto-close off.",
    }),
  },
  { additionalProperties: false },
);
export type GarageOpenerState = Static<typeof GarageOpenerState>;

export const CompartmentReport = Type.Object(
  {
    n: Type.Integer({ minimum: 1, maximum: MAX_COMPARTMENTS, description: "The compartment's number." }),
    door: Type.Union([Type.Literal("open"), Type.Literal("closed")]),
    occupied: Type.Boolean({ description: "The occupancy sensor sees something inside." }),
    jammed: Type.Boolean({ description: "The latch did not release when last told to; the door stays shut." }),
    deposits: Type.Integer({
      minimum: 0,
      description:
        "How many deposits the controller has counted in this compartment; the pickup code of the parcel in it is derived from this counter (docs/lockers.md).",
    }),
  },
  { additionalProperties: false },
);
export type CompartmentReport = Static<typeof CompartmentReport>;

export const LockerControllerState = Type.Object(
  {
    compartments: Type.Array(CompartmentReport, { maxItems: MAX_COMPARTMENTS }),
    lockedOut: Type.Boolean({ description: "The kiosk keypad is in wrong-code lockout." }),
    offlineLog: Type.Integer({
      minimum: 0,
      description: "The counter of the controller's durable offline event log: pickups it allowed while offline.",
    }),
  },
  { additionalProperties: false },
);
export type LockerControllerState = Static<typeof LockerControllerState>;

/** Whether a car is parked or being driven: the ignition, as the car maker reports it. */
export const VEHICLE_DRIVE_STATES = ["parked", "driving"] as const;
export type VehicleDrive = (typeof VEHICLE_DRIVE_STATES)[number];
/** The car's central locking: all locked, only the trunk released (for a delivery), or unlocked. */
export const VEHICLE_LOCK_STATES = ["locked", "trunk_unlocked", "unlocked"] as const;
export type VehicleLocks = (typeof VEHICLE_LOCK_STATES)[number];

export const VehicleState = Type.Object(
  {
    drive: Type.Enum(VEHICLE_DRIVE_STATES, { description: "parked (ignition off) or driving (ignition on)." }),
    position: Type.Object(
      {
        lat: Type.Number({ minimum: -90, maximum: 90 }),
        lng: Type.Number({ minimum: -180, maximum: 180 }),
        accuracyM: Type.Number({ minimum: 0, maximum: 100_000, description: "Radius of the fix, in metres." }),
      },
      { additionalProperties: false, description: "The car's last position fix (GNSS)." },
    ),
    locks: Type.Enum(VEHICLE_LOCK_STATES, {
      description: "locked: doors and trunk; trunk_unlocked: only the trunk may be opened; unlocked: all.",
    }),
    doors: Type.Enum(["closed", "open"] as const, { description: "open when any door is open." }),
    trunk: Type.Enum(["closed", "open"] as const, { description: "The trunk (boot) lid." }),
  },
  { additionalProperties: false },
);
export type VehicleState = Static<typeof VehicleState>;

export const DeviceReportedState = Type.Union([
  LockState,
  CameraState,
  GarageOpenerState,
  LockerControllerState,
  VehicleState,
]);
export type DeviceReportedState = Static<typeof DeviceReportedState>;

export const AckMessage = Type.Object(
  {
    v: Type.Literal(1),
    deviceId: DeviceId,
    commandId: CommandId,
    status: Type.Enum(ACK_STATUSES),
    reason: Type.Optional(Type.Enum(ACK_REASONS)),
    at: EpochMs,
    state: Type.Optional(DeviceReportedState),
    sig: Signature,
  },
  { additionalProperties: false, description: "The device's signed result of one command." },
);
export type AckMessage = Static<typeof AckMessage>;

export const EVENT_TYPES = [
  "lock.locked",
  "lock.unlocked",
  "door.opened",
  "door.closed",
  "alarm.jammed",
  "alarm.forced",
  "alarm.ajar",
  "alarm.wrong_code_limit",
  "battery.low",
  "command.rejected",
  "camera.recording_started",
  "camera.recording_stopped",
  "key.rotated",
  // Garage openers and fridge locks (docs/garage-and-fridge.md).
  "garage.opening",
  "garage.opened",
  "garage.closing",
  "garage.closed",
  "alarm.obstructed",
  "temperature.reported",
  // Codes (issue 6): a keypad code opened the lock; the data names the code, never the PIN.
  "pin.used",
  // Locker controllers (docs/lockers.md): data names the compartment; a close reports occupancy and the deposit counter.
  "compartment.opened",
  "compartment.closed",
  "pickup.offline",
  // Cars (docs/in-car-delivery.md): ignition on and off, the trunk lid, the car moving.
  "vehicle.driving",
  "vehicle.parked",
  "vehicle.moved",
  "trunk.unlocked",
  "trunk.opened",
  "trunk.closed",
  "vehicle.locked",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EventMessage = Type.Object(
  {
    v: Type.Literal(1),
    deviceId: DeviceId,
    id: Type.String({ pattern: `^evt_${ID_BODY_PATTERN}$`, description: "Unique per event, chosen by the device." }),
    seq: Type.Integer({ minimum: 0, description: "Increases by one with every event of this device's run." }),
    at: EpochMs,
    type: Type.Enum(EVENT_TYPES),
    data: Type.Record(
      Type.String({ maxLength: 64 }),
      Type.Union([Type.String({ maxLength: 256 }), Type.Number(), Type.Boolean(), Type.Null()]),
    ),
    sig: Signature,
  },
  { additionalProperties: false, description: "A device-signed fact: lock and door changes, alarms, battery." },
);
export type EventMessage = Static<typeof EventMessage>;

export const StateMessage = Type.Object(
  {
    v: Type.Literal(1),
    deviceId: DeviceId,
    at: EpochMs,
    online: Type.Boolean({ description: "False only in the last will the broker publishes when the device drops." }),
    kind: Type.Enum(PROTOCOL_DEVICE_KINDS),
    firmware: Type.String({ maxLength: 32 }),
    trustedKid: Kid,
    state: DeviceReportedState,
    sig: Signature,
  },
  { additionalProperties: false, description: "Retained, device-signed reported state; re-sent as a heartbeat." },
);
export type StateMessage = Static<typeof StateMessage>;

/** Everything but the signature: what gets signed. */
export type Unsigned<T extends { sig: string }> = Omit<T, "sig">;
