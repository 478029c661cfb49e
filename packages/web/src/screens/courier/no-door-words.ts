import type { Stop } from "./stops-data";

/**
 * What a stop with nothing of its own to open tells the courier. A locker stop names the bank to
 * go to, since its compartment opens only when the parcel is scanned there; a doorstep stop has
 * nothing to open at all.
 */
export function noDoorWords(stop: Pick<Stop, "method" | "lockerBanks">): string {
  if (stop.method !== "locker") return "Nothing to open: leave the package at the door.";
  const banks = stop.lockerBanks ?? [];
  if (banks.length === 0) {
    return "Locker delivery, but this building has no locker bank now: call dispatch before leaving the package.";
  }
  const names = banks.map((bank) => bank.name);
  const where = names.length === 1 ? names[0] : `one of ${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
  return `Go to ${where} and scan the parcel there: a compartment that fits opens on the scan.`;
}
