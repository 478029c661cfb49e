/** The devices module's door: what other modules may use of it (docs/architecture.md, "One room, one door"). */
export { deviceLiveness, isOnline, type Liveness, reportedState } from "./liveness.js";
export {
  Device,
  DeviceKindSchema,
  DeviceName,
  type DeviceRow,
  DeviceSummary,
  toDeviceSummary,
} from "./schemas.js";
