/** What a fleet's cameras film: `ffmpeg` real H.264, `synthetic` chained marker bytes, `none` nothing. */
export type FleetVideo = "ffmpeg" | "synthetic" | "none";
export const FLEET_VIDEO: readonly FleetVideo[] = ["ffmpeg", "synthetic", "none"];
