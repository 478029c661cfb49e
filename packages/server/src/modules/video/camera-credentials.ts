import type { KeyObject } from "node:crypto";
import { ThresholdError } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { deviceByCredentials } from "../../gateway/device-credentials.js";
import { cameraPublicKey } from "./camera-keys.js";

/** An authenticated camera, with the key its segments must be signed with. */
export interface UploadingCamera {
  id: string;
  publicKey: KeyObject;
}

/** Device id and secret from an `Authorization: Basic …` header, or null when it is not one. */
export function parseBasicCredentials(header: string | undefined): { username: string; password: string } | null {
  if (!header) return null;
  const [scheme, value] = header.split(" ", 2);
  if (scheme?.toLowerCase() !== "basic" || !value) return null;
  const decoded = Buffer.from(value.trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The camera uploading to `/cameras/{pathDeviceId}/…`, checked with the very credentials the MQTT
 * broker checks (device id and secret from pairing; one SHA-256 and one row read, so no cache:
 * a removed device is refused from its next request on).
 *
 * Valid credentials of a device other than the path's are refused with 403 device_mismatch, not
 * 404: the answer is decided from the credentials alone, before the path's device is looked up,
 * so it is the same whether that device exists or not and leaks nothing — and it tells a
 * misconfigured camera exactly what is wrong.
 *
 * The secret only lets the camera in: it travels with every request and anyone who saw it could
 * replay it, so the video itself must still be signed with the camera's key (uploadSegment).
 */
export async function authenticateCamera(
  db: Kysely<Database>,
  authorization: string | undefined,
  pathDeviceId: string,
): Promise<UploadingCamera> {
  const credentials = parseBasicCredentials(authorization);
  const device = credentials && (await deviceByCredentials(db, credentials.username, credentials.password));
  if (!credentials || !device) {
    throw new ThresholdError(
      "unauthenticated",
      "Send the camera's device id and secret from pairing as Authorization: Basic.",
    );
  }
  if (credentials.username !== pathDeviceId) {
    throw new ThresholdError(
      "device_mismatch",
      "These credentials belong to another device; a camera uploads only to its own path.",
      {
        credentialsDeviceId: credentials.username,
      },
    );
  }
  if (device.kind !== "camera") {
    throw new ThresholdError("device_kind_mismatch", `Only cameras upload video; this device is a ${device.kind}.`);
  }
  return { id: device.id, publicKey: cameraPublicKey(device.publicKey) };
}
