import type { Selectable } from "kysely";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { idParam } from "../../http/ownership.js";
import { NullableTime, Time } from "../../http/schema-types.js";
import { AccessPoint } from "../access-points/schemas.js";
import { DeviceSummary } from "../devices/index.js";

const Text = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, pattern: "\\S", description });

export const DEFAULT_GEOFENCE_RADIUS_M = 150;

/** `{ siteId }` path parameters, for every route under /sites/{siteId}. */
export const SiteParams = Type.Object({ siteId: idParam("site", "The site's id (sit_…).") });

const Country = Type.String({
  pattern: "^[A-Z]{2}$",
  description: "ISO 3166-1 alpha-2 country code, upper case, e.g. NL, US, GB.",
});

const Location = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90, description: "Latitude, WGS 84 degrees." }),
    lng: Type.Number({ minimum: -180, maximum: 180, description: "Longitude, WGS 84 degrees." }),
  },
  { additionalProperties: false },
);

export const CreateSiteBody = Type.Object(
  {
    name: Text(100, "What the owner calls the place, e.g. 'Home'."),
    address: Type.Object(
      {
        line1: Text(200, "Street and number."),
        line2: Type.Optional(Type.String({ maxLength: 200, description: "Flat, floor, building." })),
        city: Text(100, "City or town."),
        postalCode: Text(16, "Postal code as written locally."),
        country: Country,
      },
      { additionalProperties: false },
    ),
    location: Location,
    geofenceRadiusM: Type.Optional(
      Type.Integer({
        minimum: 10,
        maximum: 2000,
        default: DEFAULT_GEOFENCE_RADIUS_M,
        description: "How close (metres) a courier must be for access to be granted here.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateSiteBody = Static<typeof CreateSiteBody>;

export const Site = Type.Object({
  id: Type.String({ description: "sit_…" }),
  ownerId: Type.String({ description: "usr_… of the recipient who owns the site." }),
  name: Type.String(),
  address: Type.Object({
    line1: Type.String(),
    line2: Type.Union([Type.String(), Type.Null()]),
    city: Type.String(),
    postalCode: Type.String(),
    country: Type.String(),
  }),
  location: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
  geofenceRadiusM: Type.Integer(),
  accessBlocked: Type.Boolean({
    description: "The owner has blocked all access: no courier can open any door here (POST /v1/access/block).",
  }),
  accessBlockedAt: NullableTime("Since when access has been blocked; null while it is not."),
  createdAt: Time("When the site was created."),
});
export type Site = Static<typeof Site>;

export const SiteList = Type.Object({ sites: Type.Array(Site) });

export const SiteDetail = Type.Object({
  ...Site.properties,
  accessPoints: Type.Array(AccessPoint, { description: "Its access points, oldest first." }),
  devices: Type.Array(DeviceSummary, { description: "Its paired devices, oldest first." }),
});
export type SiteDetail = Static<typeof SiteDetail>;

export type SiteRow = Selectable<Database["sites"]>;

export function toSite(row: SiteRow): Site {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    address: {
      line1: row.address_line1,
      line2: row.address_line2,
      city: row.city,
      postalCode: row.postal_code,
      country: row.country,
    },
    location: { lat: row.lat, lng: row.lng },
    geofenceRadiusM: row.geofence_radius_m,
    accessBlocked: row.access_blocked_at !== null,
    accessBlockedAt: row.access_blocked_at === null ? null : new Date(row.access_blocked_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
  };
}
