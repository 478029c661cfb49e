import { type DeliveryMethod, isOpeningMethod } from "@threshold/core";
import Type, { type Static } from "typebox";
import type { AppContext } from "../../context.js";
import { Time } from "../../http/schema-types.js";
import { accessPointsWithCar, carrierSiteIds, sitesWithLockerBank } from "./destinations-repository.js";
import { frontDoorsOfSites } from "./front-door.js";
import { FALLBACK_TIME_ZONE } from "./place-zone.js";
import { sitesByIds } from "./repository.js";
import { SHIPMENT_METHODS } from "./schemas.js";
import type { CarrierCall } from "./service.js";
import { accessPointsForMethod, type SiteAccessPoint } from "./site-access-points.js";

export const DestinationMethod = Type.Object({
  method: Type.Enum(SHIPMENT_METHODS),
  timeZone: Type.String({
    description:
      "IANA zone a shipment of this method there is shown in (and its label printed in): enter its window in it.",
  }),
});

type DestinationMethod = Static<typeof DestinationMethod>;

export const CarrierDestination = Type.Object(
  {
    siteId: Type.String({ description: "sit_…: pass it as siteId to POST /v1/shipments." }),
    name: Type.String({ description: "The place's name, as the label prints it." }),
    address: Type.Object({
      line1: Type.String(),
      line2: Type.Union([Type.String(), Type.Null()]),
      city: Type.String(),
      postalCode: Type.String(),
      country: Type.String(),
    }),
    methods: Type.Array(DestinationMethod, {
      description:
        "What POST /v1/shipments would accept there now, as far as the place decides it: doorstep always; an opening method when the recipient allows it; locker when the building has a locker bank. The parcel's own checks (perishable, size, resident) come at creation.",
    }),
    lastShipmentAt: Time("When you last created a shipment to it."),
  },
  {
    description:
      "A place you have shipped to: the address your own labels print for it, nothing more of the site or its owner.",
  },
);
export type CarrierDestination = Static<typeof CarrierDestination>;

export const CarrierDestinationList = Type.Object({
  destinations: Type.Array(CarrierDestination, { description: "The most recently shipped to first; at most 200." }),
});

type Ctx = Pick<AppContext, "db">;

/** The access point each opening method goes through at each site, with whether it is allowed now. */
async function openingPoints(ctx: Ctx, siteIds: string[]) {
  const methods = SHIPMENT_METHODS.filter(isOpeningMethod);
  const entries = await Promise.all(
    methods.map(async (method) => [method, await accessPointsForMethod(ctx.db, siteIds, method)] as const),
  );
  return new Map<DeliveryMethod, Map<string, SiteAccessPoint>>(entries);
}

/**
 * The places a carrier has shipped to, so its dispatcher picks a destination instead of typing an
 * id. A carrier learns nothing here it did not have: the sites are those of its own shipments and
 * the address is what its labels print. The methods say what creation would refuse for the
 * place's sake (no consent, no locker), the same checks createShipment makes, so the screen offers
 * only what can work; each with the zone its window is entered and shown in.
 */
export async function listDestinations(ctx: Ctx, carrier: CarrierCall): Promise<CarrierDestination[]> {
  const known = await carrierSiteIds(ctx.db, carrier.carrierId);
  const siteIds = known.map((row) => row.site_id);
  const [sites, frontDoors, points, lockers] = await Promise.all([
    sitesByIds(ctx.db, siteIds),
    frontDoorsOfSites(ctx.db, siteIds),
    openingPoints(ctx, siteIds),
    sitesWithLockerBank(ctx.db, siteIds),
  ]);
  const trunks = await accessPointsWithCar(
    ctx.db,
    [...(points.get("in_trunk")?.values() ?? [])].map((point) => point.id),
  );
  return known.flatMap((row) => {
    const site = sites.get(row.site_id);
    if (!site) return [];
    const siteZone = frontDoors.get(site.id)?.consent?.timezone ?? FALLBACK_TIME_ZONE;
    const methods = SHIPMENT_METHODS.flatMap((method): DestinationMethod[] => {
      if (method === "doorstep") return [{ method, timeZone: siteZone }];
      if (method === "locker") return lockers.has(site.id) ? [{ method, timeZone: siteZone }] : [];
      const point = points.get(method)?.get(site.id);
      if (!point?.consent?.methods.includes(method)) return [];
      if (method === "in_trunk" && !trunks.has(point.id)) return [];
      return [{ method, timeZone: point.consent.timezone }];
    });
    return [
      {
        siteId: site.id,
        name: site.name,
        address: {
          line1: site.address_line1,
          line2: site.address_line2,
          city: site.city,
          postalCode: site.postal_code,
          country: site.country,
        },
        methods,
        lastShipmentAt: new Date(Number(row.last_shipment_at)).toISOString(),
      },
    ];
  });
}
