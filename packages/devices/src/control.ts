/**
 * The clients of a running fleet's control sockets, and where its cameras' ffmpeg is
 * (`@threshold/devices/control`): what a command line needs to drive simulated devices and describe
 * them, without loading the agents, video or MQTT that the rest of the package brings. `threshold keypad`, `car`, `device` and `locker` start in a fraction of the
 * time this way (docs/decisions.md, "The CLI loads what a command uses").
 */
export { ControlSocketUnreachable } from "./control-socket.js";
export { controlDevice } from "./fleet-control/device-client.js";
export {
  DEVICE_ACTIONS,
  DEVICE_SOCKET_NAME,
  type DeviceAction,
  type DeviceActionAnswer,
  type DeviceAnswer,
  type DeviceErrorCode,
  type DeviceRequest,
  type DeviceState,
  type DeviceSummary,
} from "./fleet-control/device-request.js";
export { FLEET_VIDEO, type FleetVideo } from "./fleet-video.js";
export { KEYPAD_SOCKET_NAME, type KeypadAnswer, typeOnKeypad } from "./keypad/keypad-socket.js";
export {
  CAR_ACTIONS,
  CAR_SOCKET_NAME,
  type CarAction,
  type CarAnswer,
  type CarRequest,
  controlCar,
} from "./vehicle/car-socket.js";
export { type FfmpegLookup, type FfmpegSource, lookUpFfmpeg } from "./video/ffmpeg-path.js";
export { ffmpegVersion } from "./video/ffmpeg-version.js";
