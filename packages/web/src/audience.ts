import type { Role } from "./api";

/**
 * Who someone is to the app, which is a little finer than their role: a recipient with a home of
 * their own uses the homeowner's screens (doors, keys, devices); one who only collects parcels from
 * a building's lockers (a resident, like the demo's Jo) uses Lockers and Deliveries, and nothing of a
 * home they do not have. Pure, so the choice is tested without a browser.
 */
export type Audience = "homeowner" | "resident" | "manager" | "courier" | "carrier_admin" | "operator";

export interface NavItem {
  to: string;
  label: string;
}

/** `ownsSites`: whether GET /v1/sites lists any site of theirs (only asked of recipients). */
export function audienceOf(role: Role, ownsSites: boolean): Audience {
  if (role === "recipient") return ownsSites ? "homeowner" : "resident";
  return role;
}

/** The navigation of each audience: the screens it uses, the first being where it starts. */
export const NAV: Record<Audience, readonly NavItem[]> = {
  homeowner: [
    { to: "/home", label: "Home" },
    { to: "/deliveries", label: "Deliveries" },
    { to: "/keys", label: "Keys" },
    { to: "/devices", label: "Devices" },
    { to: "/lockers", label: "Lockers" },
    { to: "/incidents", label: "Incidents" },
  ],
  resident: [
    { to: "/lockers", label: "Lockers" },
    { to: "/deliveries", label: "Deliveries" },
  ],
  // A manager starts at their buildings' locker dashboard; their buildings' doors and devices follow.
  manager: [
    { to: "/lockers", label: "Lockers" },
    { to: "/home", label: "Buildings" },
    { to: "/devices", label: "Devices" },
  ],
  courier: [
    { to: "/stops", label: "Stops" },
    { to: "/lockers", label: "Lockers" },
  ],
  carrier_admin: [
    { to: "/shipments", label: "Shipments" },
    { to: "/webhooks", label: "Webhooks" },
  ],
  operator: [
    { to: "/fleet", label: "Fleet" },
    { to: "/incidents", label: "Incidents" },
    { to: "/audit", label: "Audit" },
  ],
};

/** Where an audience starts: the first screen of its navigation. */
export function startPathOf(audience: Audience): string {
  return NAV[audience][0]?.to ?? "/";
}

/** Whether a path is one of the audience's screens (or a screen under one, such as /deliveries/shp_…). */
export function usesScreen(audience: Audience, pathname: string): boolean {
  return NAV[audience].some((item) => pathname === item.to || pathname.startsWith(`${item.to}/`));
}
