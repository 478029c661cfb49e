export { markShipmentDelivered, shipmentDeliveredEvent } from "./delivered.js";
export { type FrontDoor, findFrontDoor, frontDoorsOfSites } from "./front-door.js";
export { FALLBACK_TIME_ZONE, placeTimeZones } from "./place-zone.js";
export { type Readiness, readinessOf } from "./readiness.js";
export { rescheduleShipment } from "./reschedule.js";
export {
  accessPointsForMethod,
  accessPointsOfSites,
  findAccessPointForMethod,
  findSiteAccessPoint,
  type SiteAccessPoint,
} from "./site-access-points.js";
