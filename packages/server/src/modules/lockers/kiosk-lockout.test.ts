import { describe, expect, it } from "vitest";
import { kioskLockout } from "./kiosk-codes.js";

const MIN = 60_000;
const bank = { wrong_code_limit: 5, lockout_s: 900 };

describe("the kiosk's wrong-code lockout", () => {
  it("locks for the lockout period after five wrong codes within 15 minutes", () => {
    const failures = [0, MIN, 2 * MIN, 3 * MIN, 4 * MIN];
    expect(kioskLockout(failures.slice(0, 4), bank, 4 * MIN)).toEqual({ lockedUntil: null, wrongInARow: 4 });
    expect(kioskLockout(failures, bank, 5 * MIN)).toEqual({ lockedUntil: 4 * MIN + 15 * MIN, wrongInARow: 0 });
    expect(kioskLockout(failures, bank, 19 * MIN + 1).lockedUntil).toBeNull();
  });

  it("does not lock for wrong codes spread over more than 15 minutes", () => {
    const failures = [0, 5 * MIN, 10 * MIN, 16 * MIN, 20 * MIN];
    expect(kioskLockout(failures, bank, 20 * MIN)).toEqual({ lockedUntil: null, wrongInARow: 3 });
  });

  it("counts afresh after a lockout ends", () => {
    const failures = [0, 1, 2, 3, 4, 20 * MIN];
    expect(kioskLockout(failures, bank, 20 * MIN)).toEqual({ lockedUntil: null, wrongInARow: 1 });
  });
});
