import { describe, expect, it } from "vitest";
import {
  matchOfflineCode,
  OFFLINE_CODE_COUNTERS,
  offlineCode,
  offlineCodeMessage,
  offlineSlotAt,
  offlineSlotBounds,
  truncate,
} from "./offline-code.js";

/** The test vector of docs/offline-codes.md, computed independently (Python's hmac) when it was written. */
const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i);
const AT = Date.UTC(2026, 10, 25, 9, 30);
const SLOT = 498777;

describe("offline codes", () => {
  it("match the published test vector byte for byte", () => {
    expect(offlineSlotAt(AT)).toBe(SLOT);
    expect(offlineCodeMessage(SLOT, 0).toString("hex")).toBe("54484f310000000000079c5900000e1000000000");
    expect(offlineCode({ secret: SECRET, slot: SLOT, counter: 0 })).toBe("260153162");
    expect(offlineCode({ secret: SECRET, slot: SLOT, counter: 1 })).toBe("743314797");
    expect(offlineCode({ secret: SECRET, slot: SLOT, counter: 15 })).toBe("176542164");
  });

  it("truncate like RFC 4226 and keep leading zeros", () => {
    const mac = new Uint8Array(32);
    mac[31] = 0x02; // offset 2
    mac.set([0x80, 0x00, 0x00, 0x2a], 2); // the top bit is dropped: 0x0000002a = 42
    expect(truncate(mac)).toBe("000000042");
  });

  it("are found again by the lock inside their slot, with the slot and counter", () => {
    const code = offlineCode({ secret: SECRET, slot: SLOT, counter: 7 });
    const { startMs, endMs } = offlineSlotBounds(SLOT);
    expect(matchOfflineCode(SECRET, code, startMs)).toEqual({ slot: SLOT, counter: 7 });
    expect(matchOfflineCode(SECRET, code, endMs - 1)).toEqual({ slot: SLOT, counter: 7 });
  });

  it("are accepted within the skew tolerance around their slot and refused beyond it", () => {
    const code = offlineCode({ secret: SECRET, slot: SLOT, counter: 0 });
    const { startMs, endMs } = offlineSlotBounds(SLOT);
    const skewS = 120;
    expect(matchOfflineCode(SECRET, code, startMs - 120_000, { skewS })).not.toBeNull();
    expect(matchOfflineCode(SECRET, code, startMs - 120_001, { skewS })).toBeNull();
    expect(matchOfflineCode(SECRET, code, endMs + 119_999, { skewS })).not.toBeNull();
    expect(matchOfflineCode(SECRET, code, endMs + 120_000, { skewS })).toBeNull();
    expect(matchOfflineCode(SECRET, code, endMs, { skewS: 0 })).toBeNull();
  });

  it("belong to one lock: another secret does not accept them", () => {
    const other = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const code = offlineCode({ secret: SECRET, slot: SLOT, counter: 0 });
    expect(matchOfflineCode(other, code, AT)).toBeNull();
  });

  it("refuse malformed input and out-of-range counters", () => {
    expect(matchOfflineCode(SECRET, "12345678", AT)).toBeNull();
    expect(matchOfflineCode(SECRET, "12345678a", AT)).toBeNull();
    expect(() => offlineCode({ secret: SECRET, slot: SLOT, counter: OFFLINE_CODE_COUNTERS })).toThrow(RangeError);
    expect(() => offlineCode({ secret: new Uint8Array(16), slot: SLOT, counter: 0 })).toThrow(RangeError);
  });
});
