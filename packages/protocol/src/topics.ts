import { ID_BODY_PATTERN } from "@threshold/core";

/** Protocol v1 topics (DESIGN.md section 6). Every device owns exactly the four topics under its id. */
export const TOPIC_ROOT = "th/v1/d";

export const CHANNELS = ["cmd", "ack", "evt", "state"] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels a device publishes on; `cmd` is the server's alone. */
export const DEVICE_PUBLISH_CHANNELS: readonly Channel[] = ["ack", "evt", "state"];

export function deviceTopic(deviceId: string, channel: Channel): string {
  return `${TOPIC_ROOT}/${deviceId}/${channel}`;
}

const TOPIC_PATTERN = new RegExp(`^th/v1/d/(dev_${ID_BODY_PATTERN})/(cmd|ack|evt|state)$`);

/** Splits a concrete topic into device id and channel; null for anything that is not a protocol v1 topic. */
export function parseTopic(topic: string): { deviceId: string; channel: Channel } | null {
  const match = TOPIC_PATTERN.exec(topic);
  if (!match) return null;
  return { deviceId: match[1] as string, channel: match[2] as Channel };
}
