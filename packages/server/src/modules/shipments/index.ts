export { type FrontDoor, findFrontDoor, frontDoorsOfSites } from "./front-door.js";
export { type Readiness, readinessOf } from "./readiness.js";
