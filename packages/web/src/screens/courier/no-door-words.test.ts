import { describe, expect, it } from "vitest";
import { noDoorWords } from "./no-door-words";

const bank = (name: string) => ({
  id: `lkb_${name}`,
  name,
  dropOff: { method: "POST" as const, path: `/v1/lockers/banks/lkb_${name}/drop-offs` },
});

describe("noDoorWords", () => {
  it("sends a locker stop to its bank, where the compartment opens on the scan", () => {
    expect(noDoorWords({ method: "locker", lockerBanks: [bank("Lobby lockers")] })).toBe(
      "Go to Lobby lockers and scan the parcel there: a compartment that fits opens on the scan.",
    );
    expect(noDoorWords({ method: "locker", lockerBanks: [bank("North"), bank("South"), bank("Garage")] })).toBe(
      "Go to one of North, South or Garage and scan the parcel there: a compartment that fits opens on the scan.",
    );
    expect(noDoorWords({ method: "locker", lockerBanks: [] })).toContain("no locker bank");
  });

  it("tells a doorstep stop that there is nothing to open", () => {
    expect(noDoorWords({ method: "doorstep" })).toBe("Nothing to open: leave the package at the door.");
  });
});
