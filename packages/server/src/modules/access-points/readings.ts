import type { Device } from "../devices/index.js";
import type { AccessPointDetail } from "./schemas.js";

/**
 * What the recipient reads off a fridge's or garage's actuator, from its own signed report; a
 * device that is offline reports nothing trustworthy, so its readings are null (fail closed).
 */
export function actuatorReadings(
  kind: string,
  actuator: Device,
  maxTemperatureC: number,
): Pick<AccessPointDetail, "fridge" | "garage"> {
  const state = actuator.online ? actuator.reportedState : null;
  const temperatureC = typeof state?.temperatureC === "number" ? state.temperatureC : null;
  const door = typeof state?.door === "string" ? state.door : null;
  return {
    fridge:
      kind === "fridge"
        ? { temperatureC, maxTemperatureC, tooWarm: temperatureC !== null && temperatureC > maxTemperatureC }
        : null,
    garage:
      kind === "garage" ? { door, obstructed: typeof state?.obstructed === "boolean" ? state.obstructed : null } : null,
  };
}
