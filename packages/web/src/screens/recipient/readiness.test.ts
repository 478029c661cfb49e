import { describe, expect, it } from "vitest";
import type { AccessPoint, Consent, Device } from "./home-data";
import { consentOpenAt, readinessChecks, readinessVerdict } from "./readiness";
import { consentSummary, daysWords } from "./words";

const NOW = Date.parse("2026-11-25T10:30:00Z"); // a Wednesday; 11:30 in Amsterdam

function device(id: string, kind: Device["kind"], overrides: Partial<Device> = {}): Device {
  return {
    id,
    siteId: "sit_1",
    kind,
    name: id,
    model: "Test",
    firmware: "1.0.0",
    online: true,
    lastSeenAt: new Date(NOW - 5_000).toISOString(),
    reportedState: null,
    trustedKid: "k1",
    pairedAt: new Date(NOW - 86_400_000).toISOString(),
    takeovers: { count: 0, lastAt: null },
    video: kind === "camera" ? { freshness: "live", lastFrameAt: new Date(NOW - 1_000).toISOString() } : null,
    ...overrides,
  };
}

const door: AccessPoint = {
  id: "acp_1",
  siteId: "sit_1",
  kind: "front_door",
  name: "Front door",
  actuatorDeviceId: "dev_lock",
  cameraDeviceIds: ["dev_cam"],
  viaAccessPointId: null,
  createdAt: new Date(NOW).toISOString(),
};
const lock = device("dev_lock", "lock", { reportedState: { lock: "locked", door: "closed", battery: 87 } });
const camera = device("dev_cam", "camera", { reportedState: { streaming: true, recording: false } });
const consent: Consent = {
  methods: ["in_home"],
  days: [1, 2, 3, 4, 5, 6, 7],
  from: "00:00",
  to: "24:00",
  timezone: "Europe/Amsterdam",
  notes: "",
  offlineCodes: false,
  updatedAt: new Date(NOW).toISOString(),
};

const checksOf = (overrides: Partial<Parameters<typeof readinessChecks>[0]> = {}) =>
  readinessChecks({ accessPoint: door, devices: [lock, camera], consent, blocked: false, now: NOW, ...overrides });
const words = (overrides: Partial<Parameters<typeof readinessChecks>[0]> = {}) =>
  checksOf(overrides).map((check) => `${check.tone}:${check.words}`);

describe("readiness of a door", () => {
  it("is ready when the lock is online, locked and closed, the camera live and consent on now", () => {
    expect(words()).toEqual([
      "ok:Lock online",
      "ok:Locked",
      "ok:Door closed",
      "ok:Battery 87 %",
      "ok:Camera live",
      "ok:Consent on",
    ]);
    expect(readinessVerdict(checksOf())).toEqual({ tone: "ok", words: "Ready for deliveries" });
  });

  it("puts a block first and is not ready while blocked", () => {
    const checks = checksOf({ blocked: true });
    expect(checks[0]).toMatchObject({ id: "blocked", tone: "bad", words: "Access blocked" });
    expect(readinessVerdict(checks)).toEqual({ tone: "bad", words: "Not ready: access blocked" });
  });

  it("does not trust the last report of an offline lock", () => {
    const offline = { ...lock, online: false, lastSeenAt: new Date(NOW - 180_000).toISOString() };
    expect(words({ devices: [offline, camera] })).toEqual([
      "bad:Lock offline",
      "warn:Lock state unknown",
      "ok:Camera live",
      "ok:Consent on",
    ]);
    expect(checksOf({ devices: [offline, camera] })[0]?.detail).toBe("Last seen 3 min ago");
  });

  it("names an unlocked lock, an open door and a low or empty battery", () => {
    const open = { ...lock, reportedState: { lock: "unlocked", door: "open", battery: 12 } };
    expect(words({ devices: [open, camera] }).slice(0, 4)).toEqual([
      "ok:Lock online",
      "bad:Unlocked",
      "bad:Door open",
      "warn:Battery low (12 %)",
    ]);
    const empty = { ...lock, reportedState: { lock: "locked", door: "closed", battery: 4 } };
    expect(words({ devices: [empty, camera] })).toContain("bad:Battery empty (4 %)");
  });

  it("tells a frozen camera from an offline or missing one, whatever the camera says of itself", () => {
    const frozen: Device = {
      ...camera,
      video: { freshness: "stale", lastFrameAt: "2026-11-25T10:29:00Z" },
    };
    const check = checksOf({ devices: [lock, frozen] }).find((c) => c.id === "camera");
    expect(check).toMatchObject({ tone: "bad", words: "No live video" });
    expect(check?.detail).toMatch(/^Last frame at \d\d:\d\d:\d\d$/);
    expect(words({ devices: [lock, { ...frozen, video: { freshness: "stale", lastFrameAt: null } }] })).toContain(
      "bad:No live video",
    );
    expect(words({ devices: [lock, { ...camera, online: false }] })).toContain("bad:Camera offline");
    expect(words({ devices: [lock] })).toContain("bad:No camera");
  });

  it("says consent is off when unset or withdrawn, and on but not now outside its hours", () => {
    expect(words({ consent: null })).toContain("bad:Consent off");
    expect(words({ consent: { ...consent, methods: [] } })).toContain("bad:Consent off");
    const mornings = { ...consent, from: "07:00", to: "09:00" };
    expect(words({ consent: mornings })).toContain("warn:Consent on, not at this hour");
    expect(readinessVerdict(checksOf({ consent: mornings }))).toEqual({
      tone: "warn",
      words: "Ready during the hours you allow",
    });
    // Left out while it loads, rather than claimed off.
    expect(checksOf({ consent: undefined }).map((check) => check.id)).not.toContain("consent");
  });
});

describe("consent in words and in time", () => {
  it("reads its hours in its own time zone", () => {
    // 10:30 UTC is 11:30 in Amsterdam and 10:30 in London.
    expect(consentOpenAt({ ...consent, from: "11:00", to: "12:00" }, NOW)).toBe(true);
    expect(consentOpenAt({ ...consent, from: "11:00", to: "12:00", timezone: "Europe/London" }, NOW)).toBe(false);
    expect(consentOpenAt({ ...consent, days: [1, 2, 4, 5, 6, 7] }, NOW)).toBe(false);
    expect(consentOpenAt({ ...consent, timezone: "Not/AZone" }, NOW)).toBe(false);
  });

  it("summarises methods, days and hours", () => {
    expect(consentSummary(consent)).toBe("In-home · Every day, all day (Europe/Amsterdam)");
    expect(consentSummary({ ...consent, methods: ["in_home", "doorstep"], days: [1, 2, 3, 4, 5], to: "21:00" })).toBe(
      "In-home, Doorstep · Weekdays, 00:00–21:00 (Europe/Amsterdam)",
    );
    expect(daysWords([6, 7])).toBe("Weekends");
    expect(daysWords([5, 1, 3])).toBe("Mon, Wed, Fri");
  });
});

describe("readiness of a garage and a fridge", () => {
  const garage: AccessPoint = { ...door, id: "acp_g", kind: "garage", name: "Garage", actuatorDeviceId: "dev_opener" };
  const opener = (state: Record<string, unknown> | null, online = true) =>
    device("dev_opener", "garage_opener", { reportedState: state, online });

  it("reads a garage opener as the server does: online, fully closed at rest, doorway clear", () => {
    const ready = { door: "closed", obstructed: false, autoCloseS: 0 };
    expect(words({ accessPoint: garage, devices: [opener(ready), camera] })).toEqual([
      "ok:Opener online",
      "ok:Garage closed",
      "ok:Doorway clear",
      "ok:Camera live",
      "ok:Consent on",
    ]);
    const open = checksOf({ accessPoint: garage, devices: [opener({ ...ready, door: "open" }), camera] });
    expect(readinessVerdict(open)).toEqual({ tone: "bad", words: "Not ready: garage open" });
    const blocked = checksOf({ accessPoint: garage, devices: [opener({ ...ready, obstructed: true }), camera] });
    expect(readinessVerdict(blocked)).toEqual({ tone: "bad", words: "Not ready: doorway blocked" });
    expect(words({ accessPoint: garage, devices: [opener({ ...ready, door: "closing" }), camera] })).toContain(
      "warn:Garage closing",
    );
    // A silent opener's last report is not trusted.
    expect(words({ accessPoint: garage, devices: [opener(ready, false), camera] }).slice(0, 2)).toEqual([
      "bad:Opener offline",
      "warn:Garage door unknown",
    ]);
  });

  it("shows a fridge's temperature, and says when it is too warm", () => {
    const fridge: AccessPoint = { ...door, id: "acp_f", kind: "fridge", name: "Fridge" };
    const cool = words({ accessPoint: fridge, fridge: { temperatureC: 4.25, maxTemperatureC: 8, tooWarm: false } });
    expect(cool).toContain("ok:4.3 °C inside");
    const warm = checksOf({ accessPoint: fridge, fridge: { temperatureC: 11, maxTemperatureC: 8, tooWarm: true } });
    expect(readinessVerdict(warm)).toEqual({ tone: "bad", words: "Not ready: too warm: 11.0 °C inside" });
    expect(
      words({ accessPoint: fridge, fridge: { temperatureC: null, maxTemperatureC: 8, tooWarm: false } }),
    ).toContain("warn:Temperature unknown");
    // A front door has no temperature.
    expect(words().some((w) => w.includes("°C"))).toBe(false);
  });
});
