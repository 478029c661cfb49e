import { describe, expect, it } from "vitest";
import { lockerPickupCode, matchPickupCode, pickupCodeMessage } from "./locker-pickup-code.js";

const secret = Buffer.alloc(32, 7);

describe("locker pickup codes", () => {
  it("are 8 digits, fixed by (secret, compartment, counter), different for each deposit", () => {
    const code = lockerPickupCode(secret, 3, 1);
    expect(code).toMatch(/^[0-9]{8}$/);
    expect(lockerPickupCode(secret, 3, 1)).toBe(code);
    expect(lockerPickupCode(secret, 3, 2)).not.toBe(code);
    expect(lockerPickupCode(secret, 4, 1)).not.toBe(code);
    expect(lockerPickupCode(Buffer.alloc(32, 8), 3, 1)).not.toBe(code);
    expect(pickupCodeMessage(3, 1).toString("hex")).toBe("54484c310000000300000001");
  });

  it("match only the current deposit of an occupied compartment", () => {
    const candidates = [
      { compartment: 1, depositCounter: 5 },
      { compartment: 2, depositCounter: 1 },
    ];
    expect(matchPickupCode(secret, lockerPickupCode(secret, 2, 1), candidates)).toEqual({
      compartment: 2,
      depositCounter: 1,
    });
    expect(matchPickupCode(secret, lockerPickupCode(secret, 1, 4), candidates)).toBeNull();
    expect(matchPickupCode(secret, "1234", candidates)).toBeNull();
    expect(() => lockerPickupCode(Buffer.alloc(5), 1, 1)).toThrow(RangeError);
  });
});
