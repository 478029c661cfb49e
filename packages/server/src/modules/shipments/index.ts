export { shipmentDeliveredEvent } from "./delivered.js";
export { type FrontDoor, findFrontDoor, frontDoorsOfSites } from "./front-door.js";
export { type Readiness, readinessOf } from "./readiness.js";
export {
  accessPointsForMethod,
  accessPointsOfSites,
  findAccessPointForMethod,
  findSiteAccessPoint,
  type SiteAccessPoint,
} from "./site-access-points.js";
