import { formatAgo } from "../../ui/format";
import type { AccessPoint, Consent, Device } from "./home-data";
import { consentSummary } from "./words";

/**
 * Whether a door is ready for a delivery, as the recipient sees it: each condition of DESIGN.md
 * rule 1 that belongs to the home (lock, door, battery, camera, consent, block) said in words.
 * The server decides at the door; this mirrors it so the recipient can fix what would refuse.
 */

export type Tone = "ok" | "warn" | "bad";
/** The checks of a car (CarCard): paired, reachable, parked, locked, trunk shut. */
type CarCheckId = "paired" | "online" | "drive" | "locks" | "trunk";

export interface Check {
  /** Stable, for React keys and tests. */
  id: "blocked" | "lock" | "locked" | "door" | "battery" | "camera" | "consent" | "temperature" | CarCheckId;
  tone: Tone;
  words: string;
  /** A second line when the words need context: a consent summary, a last-seen time. */
  detail?: string;
}

/** The lock refuses to unlock below this, and warns below LOW (packages/devices lock agent). */
const EMPTY_BATTERY = 5;
const LOW_BATTERY = 20;

function stateOf(device: Device | undefined): Record<string, unknown> | null {
  // A silent device's last report may be stale: like the server, trust only online devices.
  return device?.online ? device.reportedState : null;
}

function lockChecks(lock: Device | undefined, now: number): Check[] {
  if (!lock) return [{ id: "lock", tone: "bad", words: "No lock paired" }];
  if (!lock.online) {
    return [
      { id: "lock", tone: "bad", words: "Lock offline", detail: `Last seen ${formatAgo(lock.lastSeenAt, now)}` },
      { id: "locked", tone: "warn", words: "Lock state unknown" },
    ];
  }
  const state = stateOf(lock);
  const checks: Check[] = [{ id: "lock", tone: "ok", words: "Lock online" }];
  checks.push(
    state?.lock === "locked"
      ? { id: "locked", tone: "ok", words: "Locked" }
      : state?.lock === "unlocked"
        ? { id: "locked", tone: "bad", words: "Unlocked" }
        : { id: "locked", tone: "warn", words: "Lock state unknown" },
  );
  if (state?.door === "closed") checks.push({ id: "door", tone: "ok", words: "Door closed" });
  else if (state?.door === "open") checks.push({ id: "door", tone: "bad", words: "Door open" });
  else checks.push({ id: "door", tone: "warn", words: "Door sensor unknown" });
  const battery = state?.battery;
  if (typeof battery === "number") {
    if (battery < EMPTY_BATTERY) {
      checks.push({ id: "battery", tone: "bad", words: `Battery empty (${battery} %)`, detail: "Replace it now" });
    } else if (battery < LOW_BATTERY) {
      checks.push({ id: "battery", tone: "warn", words: `Battery low (${battery} %)`, detail: "Replace it soon" });
    } else {
      checks.push({ id: "battery", tone: "ok", words: `Battery ${battery} %` });
    }
  }
  return checks;
}

/**
 * A garage opener, in the same three checks as a lock, as the server reads it (rule 1 for a
 * garage: online, the door fully closed and at rest, the doorway clear).
 */
function garageChecks(opener: Device | undefined, now: number): Check[] {
  if (!opener) return [{ id: "lock", tone: "bad", words: "No garage opener paired" }];
  if (!opener.online) {
    return [
      { id: "lock", tone: "bad", words: "Opener offline", detail: `Last seen ${formatAgo(opener.lastSeenAt, now)}` },
      { id: "locked", tone: "warn", words: "Garage door unknown" },
    ];
  }
  const state = stateOf(opener);
  const door = state?.door;
  const checks: Check[] = [{ id: "lock", tone: "ok", words: "Opener online" }];
  if (door === "closed") checks.push({ id: "locked", tone: "ok", words: "Garage closed" });
  else if (door === "open") checks.push({ id: "locked", tone: "bad", words: "Garage open" });
  else if (door === "opening" || door === "closing") {
    checks.push({ id: "locked", tone: "warn", words: `Garage ${door}` });
  } else checks.push({ id: "locked", tone: "warn", words: "Garage door unknown" });
  if (state?.obstructed === true) {
    checks.push({ id: "door", tone: "bad", words: "Doorway blocked", detail: "Something breaks the safety beam" });
  } else if (state?.obstructed === false) checks.push({ id: "door", tone: "ok", words: "Doorway clear" });
  return checks;
}

/** What the server says of a fridge's temperature (GET /v1/access-points/{id}: `fridge`). */
export interface FridgeReading {
  temperatureC: number | null;
  maxTemperatureC: number;
  tooWarm: boolean;
}

function temperatureCheck(fridge: FridgeReading): Check {
  const { temperatureC, maxTemperatureC } = fridge;
  if (temperatureC === null) return { id: "temperature", tone: "warn", words: "Temperature unknown" };
  const words = `${temperatureC.toFixed(1)} °C inside`;
  return fridge.tooWarm || temperatureC > maxTemperatureC
    ? {
        id: "temperature",
        tone: "bad",
        words: `Too warm: ${words}`,
        detail: `Keep it at ${maxTemperatureC} °C or below`,
      }
    : { id: "temperature", tone: "ok", words, detail: `Alert above ${maxTemperatureC} °C` };
}

function cameraCheck(cameras: readonly (Device | undefined)[]): Check {
  const known = cameras.filter((camera): camera is Device => camera !== undefined);
  if (known.length === 0) return { id: "camera", tone: "bad", words: "No camera" };
  // Only the server's view of the video counts: a frozen camera still says it streams.
  if (known.some((camera) => camera.online && camera.video?.freshness === "live")) {
    return { id: "camera", tone: "ok", words: "Camera live" };
  }
  const online = known.find((camera) => camera.online);
  if (online) {
    const lastFrameAt = online.video?.lastFrameAt;
    return {
      id: "camera",
      tone: "bad",
      words: "No live video",
      detail: lastFrameAt ? `Last frame at ${clockTime(lastFrameAt)}` : "The camera has sent no video",
    };
  }
  return { id: "camera", tone: "bad", words: "Camera offline" };
}

const clockTime = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

const weekdayFormats = new Map<string, Intl.DateTimeFormat>();

/** Weekday (1–7) and minute of the day at `at` in `timezone`, as @threshold/core computes them. */
function localTime(at: number, timezone: string): { weekday: number; minute: number } | null {
  let format = weekdayFormats.get(timezone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat("en-GB", {
        timeZone: timezone,
        weekday: "short",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
    } catch {
      return null;
    }
    weekdayFormats.set(timezone, format);
  }
  const parts = format.formatToParts(new Date(at));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(part("weekday")) + 1;
  return { weekday, minute: Number(part("hour")) * 60 + Number(part("minute")) };
}

const minuteOf = (hhmm: string) => {
  const [hours, minutes] = hhmm.split(":").map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
};

/** True when the consent's days and hours include the instant `at`. */
export function consentOpenAt(consent: Consent, at: number): boolean {
  const local = localTime(at, consent.timezone);
  if (!local) return false;
  return (
    consent.days.includes(local.weekday) &&
    local.minute >= minuteOf(consent.from) &&
    local.minute < minuteOf(consent.to)
  );
}

function consentCheck(consent: Consent | null, now: number): Check {
  if (!consent || consent.methods.length === 0) {
    return { id: "consent", tone: "bad", words: "Consent off", detail: "No delivery method is allowed here" };
  }
  const detail = consentSummary(consent);
  return consentOpenAt(consent, now)
    ? { id: "consent", tone: "ok", words: "Consent on", detail }
    : { id: "consent", tone: "warn", words: "Consent on, not at this hour", detail };
}

export interface ReadinessInput {
  accessPoint: AccessPoint;
  /** The site's devices, as GET /v1/sites/{siteId}/devices lists them. */
  devices: readonly Device[];
  /** Null when not set (which allows nothing); undefined while it loads. */
  consent: Consent | null | undefined;
  blocked: boolean;
  now: number;
  /** Fridges: the temperature as the server judges it; undefined while it loads, or not a fridge. */
  fridge?: FridgeReading | null;
}

/** Every check of one access point, the block first because it overrides everything else. */
export function readinessChecks(input: ReadinessInput): Check[] {
  const byId = new Map(input.devices.map((device) => [device.id, device]));
  const checks: Check[] = [];
  if (input.blocked) {
    checks.push({ id: "blocked", tone: "bad", words: "Access blocked", detail: "No courier can open this door" });
  }
  const actuator = byId.get(input.accessPoint.actuatorDeviceId);
  checks.push(
    ...(input.accessPoint.kind === "garage" ? garageChecks(actuator, input.now) : lockChecks(actuator, input.now)),
  );
  if (input.fridge) checks.push(temperatureCheck(input.fridge));
  checks.push(cameraCheck(input.accessPoint.cameraDeviceIds.map((id) => byId.get(id))));
  if (input.consent !== undefined) checks.push(consentCheck(input.consent, input.now));
  return checks;
}

/** "Garage open" → "garage open": the words go mid-sentence; units (°C) keep their case. */
const midSentence = (words: string) => words.charAt(0).toLowerCase() + words.slice(1);

/** One sentence for the whole door: ready, or the first thing that stops it. */
export function readinessVerdict(checks: readonly Check[]): { tone: Tone; words: string } {
  const blocking = checks.find((check) => check.tone === "bad");
  if (blocking) return { tone: "bad", words: `Not ready: ${midSentence(blocking.words)}` };
  const doubts = checks.filter((check) => check.tone === "warn");
  const doubtful = doubts.find((check) => check.id !== "consent");
  if (doubtful) return { tone: "warn", words: `Ready, but check: ${midSentence(doubtful.words)}` };
  if (doubts.length > 0) return { tone: "warn", words: "Ready during the hours you allow" };
  return { tone: "ok", words: "Ready for deliveries" };
}
