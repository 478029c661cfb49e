import type { TemperatureClass } from "@threshold/core";
import type { BankRow, CompartmentRow, ParcelRow } from "./repository.js";
import type { LockerBank, LockerParcel, LockerParcelStatus } from "./schemas.js";

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** A bank as the API shows it; compartment states and reasons only to those who manage it. */
export function toBank(bank: BankRow, compartments: CompartmentRow[], manages: boolean): LockerBank {
  return {
    id: bank.id,
    siteId: bank.site_id,
    name: bank.name,
    pickupPeriodHours: bank.pickup_period_s / 3600,
    overflowDistanceM: bank.overflow_distance_m,
    packageRoom: bank.package_room,
    online: bank.offline_since === null,
    freeCompartments: compartments.filter((c) => c.state === "free").length,
    compartments: compartments.map((c) => ({
      number: c.number,
      widthCm: c.width_cm,
      heightCm: c.height_cm,
      depthCm: c.depth_cm,
      sizeClass: c.size_class,
      temperature: c.temperature as TemperatureClass,
      accessible: c.accessible === 1,
      ...(manages ? { state: c.state, outOfServiceReason: c.out_of_service_reason } : {}),
    })),
  };
}

/** A parcel as the API shows it; `code` only when the caller may collect it (the service decides). */
export function toParcel(
  parcel: ParcelRow,
  bank: BankRow,
  compartment: CompartmentRow,
  code: string | null,
): LockerParcel {
  return {
    id: parcel.id,
    kind: parcel.kind as "delivery" | "return",
    label: parcel.label,
    shipmentId: parcel.shipment_id,
    status: parcel.status as LockerParcelStatus,
    bankId: bank.id,
    bankName: bank.name,
    compartment: compartment.number,
    overflow: parcel.overflow === 1,
    depositedAt: isoOrNull(parcel.deposited_at),
    expiresAt: isoOrNull(parcel.expires_at),
    extended: parcel.extended === 1,
    pickedUpAt: isoOrNull(parcel.picked_up_at),
    ...(code === null ? {} : { code, qr: `threshold:pickup:${bank.id}:${code}` }),
  };
}
