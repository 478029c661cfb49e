import { describe, expect, it } from "vitest";
import {
  allocateCompartment,
  type CompartmentSnapshot,
  type Dimensions,
  fitsInside,
  parcelsFit,
  TEMPERATURE_CLASSES,
  type TemperatureClass,
} from "./locker-allocation.js";

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INPOST: Dimensions[] = [
  [8, 38, 64],
  [19, 38, 64],
  [41, 38, 64],
];

function randomBank(random: () => number, size: number): CompartmentSnapshot[] {
  return Array.from({ length: size }, (_, i) => {
    const base = random() < 0.6 ? (INPOST[Math.floor(random() * 3)] as Dimensions) : undefined;
    const inner: Dimensions = base ?? [
      5 + Math.floor(random() * 60),
      5 + Math.floor(random() * 60),
      5 + Math.floor(random() * 60),
    ];
    const t = random();
    return {
      id: `c${String(i).padStart(3, "0")}`,
      inner,
      temperature: (t < 0.7 ? "ambient" : t < 0.85 ? "chilled" : "frozen") as TemperatureClass,
      accessible: random() < 0.2,
      state: random() < 0.05 ? "out_of_service" : "free",
      residentId: null,
      contents: [],
    };
  });
}

function randomParcel(random: () => number): Dimensions {
  return [1 + Math.floor(random() * 45), 1 + Math.floor(random() * 45), 1 + Math.floor(random() * 70)];
}

describe("locker allocation", () => {
  it("a parcel fits a compartment in any orientation", () => {
    expect(fitsInside([64, 8, 38], [8, 38, 64])).toBe(true);
    expect(fitsInside([9, 38, 64], [8, 38, 64])).toBe(false);
    expect(
      parcelsFit(
        [19, 38, 64],
        [
          [8, 38, 64],
          [8, 38, 64],
        ],
      ),
    ).toBe(true);
    expect(
      parcelsFit(
        [19, 38, 64],
        [
          [8, 38, 64],
          [8, 38, 64],
          [8, 38, 64],
        ],
      ),
    ).toBe(false);
  });

  it("takes the smallest that fits, of the right temperature, accessible for those who asked", () => {
    const bank: CompartmentSnapshot[] = [
      {
        id: "big",
        inner: [41, 38, 64],
        temperature: "ambient",
        accessible: false,
        state: "free",
        residentId: null,
        contents: [],
      },
      {
        id: "small",
        inner: [8, 38, 64],
        temperature: "ambient",
        accessible: false,
        state: "free",
        residentId: null,
        contents: [],
      },
      {
        id: "low",
        inner: [19, 38, 64],
        temperature: "ambient",
        accessible: true,
        state: "free",
        residentId: null,
        contents: [],
      },
      {
        id: "cold",
        inner: [8, 38, 64],
        temperature: "frozen",
        accessible: false,
        state: "free",
        residentId: null,
        contents: [],
      },
    ];
    const parcel: Dimensions = [5, 30, 30];
    expect(
      allocateCompartment({ residentId: "r", parcel, temperature: "ambient", preferAccessible: false }, bank),
    ).toEqual({ compartmentId: "small", packed: false });
    expect(
      allocateCompartment({ residentId: "r", parcel, temperature: "ambient", preferAccessible: true }, bank),
    ).toEqual({ compartmentId: "low", packed: false });
    expect(
      allocateCompartment({ residentId: "r", parcel, temperature: "frozen", preferAccessible: false }, bank),
    ).toEqual({ compartmentId: "cold", packed: false });
    expect(
      allocateCompartment({ residentId: "r", parcel, temperature: "chilled", preferAccessible: false }, bank),
    ).toBeNull();
    expect(
      allocateCompartment(
        { residentId: "r", parcel: [50, 50, 50], temperature: "ambient", preferAccessible: false },
        bank,
      ),
    ).toBeNull();
  });

  it("packs a resident's second parcel with the first, never with another resident's", () => {
    const bank: CompartmentSnapshot[] = [
      {
        id: "mine",
        inner: [19, 38, 64],
        temperature: "ambient",
        accessible: false,
        state: "occupied",
        residentId: "r1",
        contents: [[8, 30, 30]],
      },
      {
        id: "theirs",
        inner: [41, 38, 64],
        temperature: "ambient",
        accessible: false,
        state: "occupied",
        residentId: "r2",
        contents: [[8, 30, 30]],
      },
      {
        id: "free",
        inner: [8, 38, 64],
        temperature: "ambient",
        accessible: false,
        state: "free",
        residentId: null,
        contents: [],
      },
    ];
    expect(
      allocateCompartment(
        { residentId: "r1", parcel: [8, 30, 30], temperature: "ambient", preferAccessible: false },
        bank,
      ),
    ).toEqual({ compartmentId: "mine", packed: true });
    expect(
      allocateCompartment(
        { residentId: "r3", parcel: [8, 30, 30], temperature: "ambient", preferAccessible: false },
        bank,
      ),
    ).toEqual({ compartmentId: "free", packed: false });
  });

  it("property: never too small, never two residents, never the wrong temperature (200 random banks)", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seeded(seed);
      const bank = randomBank(random, 5 + Math.floor(random() * 40));
      const residents = Array.from({ length: 1 + Math.floor(random() * 8) }, (_, i) => `r${i}`);
      const wanted = new Map<string, TemperatureClass>();
      for (let n = 0; n < 120; n++) {
        const residentId = residents[Math.floor(random() * residents.length)] as string;
        const temperature = TEMPERATURE_CLASSES[Math.floor(random() * 3)] as TemperatureClass;
        const parcel = randomParcel(random);
        const choice = allocateCompartment({ residentId, parcel, temperature, preferAccessible: random() < 0.3 }, bank);
        const fitsSomewhere = bank.some(
          (c) => c.state === "free" && c.temperature === temperature && fitsInside(parcel, c.inner),
        );
        if (!choice) {
          // "Full" is only said when no free compartment of that class could take it.
          expect(fitsSomewhere, `seed ${seed}`).toBe(false);
          continue;
        }
        const compartment = bank.find((c) => c.id === choice.compartmentId) as CompartmentSnapshot;
        expect(compartment.state, `seed ${seed}`).not.toBe("out_of_service");
        expect(compartment.temperature, `seed ${seed}`).toBe(temperature);
        expect(compartment.residentId === null || compartment.residentId === residentId, `seed ${seed}`).toBe(true);
        compartment.contents = [...compartment.contents, parcel];
        compartment.residentId = residentId;
        compartment.state = "occupied";
        wanted.set(`${compartment.id}`, temperature);
        // Every parcel in it still fits, together.
        expect(parcelsFit(compartment.inner, compartment.contents), `seed ${seed}`).toBe(true);
        for (const item of compartment.contents) expect(fitsInside(item, compartment.inner)).toBe(true);
        // Now and then a resident collects, freeing the compartment.
        if (random() < 0.2) {
          const taken = bank[Math.floor(random() * bank.length)] as CompartmentSnapshot;
          if (taken.state === "occupied") Object.assign(taken, { state: "free", residentId: null, contents: [] });
        }
      }
      expect(bank.every((c) => c.state !== "occupied" || c.temperature === wanted.get(c.id))).toBe(true);
    }
  });
});
