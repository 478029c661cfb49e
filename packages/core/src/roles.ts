export const ROLES = ["recipient", "courier", "carrier_admin", "manager", "operator"] as const;
export type Role = (typeof ROLES)[number];

export const DEVICE_KINDS = ["lock", "camera", "garage_opener", "locker_controller", "vehicle", "keypad"] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const ACCESS_POINT_KINDS = [
  "front_door",
  "garage",
  "fridge",
  "trunk",
  "building_entrance",
  "compartment",
] as const;
export type AccessPointKind = (typeof ACCESS_POINT_KINDS)[number];

/** Which device kind actuates which access point kind. */
export const ACTUATOR_FOR: Record<AccessPointKind, readonly DeviceKind[]> = {
  front_door: ["lock"],
  garage: ["garage_opener"],
  fridge: ["lock"],
  trunk: ["vehicle"],
  building_entrance: ["lock", "keypad"],
  compartment: ["locker_controller"],
};

/** Scopes an API key may carry. A key can do only what its scopes name. */
export const API_KEY_SCOPES = ["shipments:read", "shipments:write", "couriers:read", "webhooks:manage"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * The kind of access point each opening method goes through; other methods (doorstep) open nothing.
 * A fridge may sit behind a front door (docs/garage-and-fridge.md): then the visit opens both.
 */
export const ACCESS_POINT_KIND_FOR_METHOD = {
  in_home: "front_door",
  in_garage: "garage",
  in_fridge: "fridge",
  in_trunk: "trunk",
} as const satisfies Partial<Record<string, AccessPointKind>>;
export type OpeningMethod = keyof typeof ACCESS_POINT_KIND_FOR_METHOD;

export function isOpeningMethod(method: string): method is OpeningMethod {
  return Object.hasOwn(ACCESS_POINT_KIND_FOR_METHOD, method);
}
