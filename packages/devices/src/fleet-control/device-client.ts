import { requestControl } from "../control-socket.js";
import type { DeviceAnswer, DeviceRequest } from "./device-request.js";

/** Sends one request to the fleet listening at `path`. */
export function controlDevice(path: string, request: DeviceRequest): Promise<DeviceAnswer> {
  return requestControl<DeviceAnswer>(path, request, "devices");
}
