import type {
  CameraState,
  GarageOpenerState,
  LockerControllerState,
  LockState,
  VehicleState,
} from "@threshold/protocol";
import type { AgentKind } from "../identity.js";
import type { KeypadVerdict } from "../keypad/keypad.js";
import type { KioskVerdict } from "../locker-controller-agent.js";

/** The socket every running fleet (`threshold simulate`, `threshold demo`) listens on, in its state directory. */
export const DEVICE_SOCKET_NAME = "control.sock";

/**
 * What the physical world can do to a simulated device, by what the device is. `status` and
 * `list` only read. A door opens on a lock (a fridge's is a lock) or a car; `jam` and `clear-jam`
 * act on a lock's bolt or on one compartment of a locker bank; `type` presses keys on a lock's
 * keypad or a locker bank's kiosk.
 */
export const DEVICE_ACTIONS = [
  "list",
  "status",
  "open-door",
  "close-door",
  "jam",
  "clear-jam",
  "battery",
  "temperature",
  "type",
  "break-beam",
  "clear-beam",
  "freeze",
  "thaw",
  "put",
  "take",
  "close",
  "drive",
  "park",
  "move",
  "open-trunk",
  "close-trunk",
] as const;
export type DeviceAction = (typeof DEVICE_ACTIONS)[number];

/** One JSON line on the control socket. */
export interface DeviceRequest {
  action: DeviceAction;
  /** The device's name in the fleet, or its device id (`dev_…`); every action but `list` needs one. */
  device?: string;
  /** put, take, close, jam, clear-jam on a locker bank: which compartment (1…n). */
  compartment?: number;
  /** battery: percent, 0–100. */
  percent?: number;
  /** temperature: degrees Celsius, -50–100. */
  celsius?: number;
  /** type: the digits. */
  code?: string;
  /** move: the car's new position. */
  lat?: number;
  lng?: number;
}

/** Stable codes of a refused request; a refused request changed nothing. */
export type DeviceErrorCode =
  | "malformed_request"
  | "unknown_action"
  | "unknown_device"
  | "wrong_kind"
  | "invalid_argument"
  | "not_possible";

export type DeviceState = LockState | CameraState | GarageOpenerState | LockerControllerState | VehicleState;

/** A device as the control socket shows it. */
export interface DeviceSummary {
  name: string;
  deviceId: string;
  kind: AgentKind;
  /** Connected to the broker right now. */
  online: boolean;
  /** What the device reports (its last state message, signed when sent). */
  state: DeviceState;
  /** Cameras only: the picture is frozen (the camera still says it streams). */
  frozen?: boolean;
}

export type DeviceAnswer =
  | { ok: true; devices: DeviceSummary[] }
  | {
      ok: true;
      device: DeviceSummary;
      /** What did not happen though asked, and why (a locked trunk stays shut). */
      note?: string;
      /** type: what the keypad or kiosk did with the code. */
      verdict?: KeypadVerdict | KioskVerdict;
    }
  | { ok: false; code: DeviceErrorCode; error: string };

/** An answer about one device (every action but `list`). */
export type DeviceActionAnswer = Extract<DeviceAnswer, { device: DeviceSummary }>;
