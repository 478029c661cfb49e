/**
 * Parcel locker allocation (docs/lockers.md): which compartment of a bank a parcel goes into.
 * Pure: the caller passes a snapshot of the bank and applies the answer atomically (the server
 * reserves with a compare-and-set on the compartment's version, and asks again if it lost a race).
 */

export const TEMPERATURE_CLASSES = ["ambient", "chilled", "frozen"] as const;
export type TemperatureClass = (typeof TEMPERATURE_CLASSES)[number];

export const COMPARTMENT_STATES = ["free", "reserved", "occupied", "out_of_service"] as const;
export type CompartmentState = (typeof COMPARTMENT_STATES)[number];

/** Size classes as printed on the doors; informative only, allocation goes by the inner dimensions. */
export const SIZE_CLASSES = ["S", "M", "L", "XL"] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];

/** A box's three edges in centimetres, in any order. */
export type Dimensions = readonly [number, number, number];

export interface CompartmentSnapshot {
  id: string;
  /** Inner width × height × depth, centimetres. */
  inner: Dimensions;
  temperature: TemperatureClass;
  accessible: boolean;
  state: CompartmentState;
  /** Whose parcels it holds or is reserved for; null when free. */
  residentId: string | null;
  /** The parcels already in it or reserved into it. */
  contents: readonly Dimensions[];
}

export interface AllocationRequest {
  residentId: string;
  parcel: Dimensions;
  temperature: TemperatureClass;
  /** The resident asked for low (accessible) compartments. */
  preferAccessible: boolean;
}

export type Allocation = { compartmentId: string; packed: boolean } | null;

const byLength = (a: number, b: number) => a - b;

/** True when `box` fits inside a w × h cross-section in some rotation (rotating about the stacking axis). */
function fitsFootprint(box: readonly [number, number], w: number, h: number): boolean {
  return (box[0] <= w && box[1] <= h) || (box[0] <= h && box[1] <= w);
}

/**
 * The least height a parcel takes along a compartment axis of the given cross-section: the
 * parcel may lie on any face. Infinity when no face fits the cross-section.
 */
function heightAlong(parcel: Dimensions, w: number, h: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let up = 0; up < 3; up++) {
    const rest = parcel.filter((_, i) => i !== up) as unknown as [number, number];
    if (fitsFootprint(rest, w, h)) best = Math.min(best, parcel[up] as number);
  }
  return best;
}

/**
 * Whether all `parcels` fit in `inner` stacked one on another along one of its axes, each lying
 * on whichever face fits. Stacking is a real, physically possible arrangement, so a "yes" is never
 * wrong; it may say "no" to some mixes a clever packer would fit, which only costs a compartment.
 * With one parcel this is exact: it fits in some orientation of the box.
 */
export function parcelsFit(inner: Dimensions, parcels: readonly Dimensions[]): boolean {
  if (parcels.length === 0) return true;
  for (let axis = 0; axis < 3; axis++) {
    const [w, h] = inner.filter((_, i) => i !== axis) as [number, number];
    let used = 0;
    for (const parcel of parcels) {
      used += heightAlong(parcel, w, h);
      if (used > (inner[axis] as number)) break;
    }
    if (used <= (inner[axis] as number)) return true;
  }
  return false;
}

/** Whether one box fits in another in any orientation (the sorted edges compare one by one). */
export function fitsInside(parcel: Dimensions, inner: Dimensions): boolean {
  const p = [...parcel].sort(byLength);
  const c = [...inner].sort(byLength);
  return p.every((edge, i) => edge <= (c[i] as number));
}

const volume = (d: Dimensions) => d[0] * d[1] * d[2];

/**
 * The best compartment for one parcel, or null when none fits (the bank is full for it).
 * 1. A compartment already holding this resident's parcels, of the same temperature class, that
 *    still fits everything stacked: one door to open at pickup, one compartment saved.
 * 2. Otherwise the smallest free compartment of exactly the right temperature class that fits it;
 *    residents who asked for accessible compartments get an accessible one if any fits, everyone
 *    else leaves accessible ones to those who need them when an equal choice exists.
 * Never a compartment out of service, never another resident's, never another temperature class.
 * Equal choices keep the order the caller listed them in (the server lists by door number).
 */
export function allocateCompartment(
  request: AllocationRequest,
  compartments: readonly CompartmentSnapshot[],
): Allocation {
  const right = compartments.filter((c) => c.temperature === request.temperature);
  const shared = right
    .filter(
      (c) =>
        (c.state === "reserved" || c.state === "occupied") &&
        c.residentId === request.residentId &&
        parcelsFit(c.inner, [...c.contents, request.parcel]),
    )
    .sort((a, b) => volume(a.inner) - volume(b.inner));
  if (shared[0]) return { compartmentId: shared[0].id, packed: true };
  const free = right.filter((c) => c.state === "free" && fitsInside(request.parcel, c.inner));
  const rank = (c: CompartmentSnapshot) => (c.accessible === request.preferAccessible ? 0 : 1);
  free.sort((a, b) => {
    if (request.preferAccessible && rank(a) !== rank(b)) return rank(a) - rank(b);
    return volume(a.inner) - volume(b.inner) || rank(a) - rank(b);
  });
  const best = free[0];
  return best ? { compartmentId: best.id, packed: false } : null;
}
