import type { Migration } from "kysely";
import * as foundation from "./20261125T0200-foundation.js";
import * as accessPointRemoval from "./20261125T0300-access-point-removal.js";
import * as inHomeDelivery from "./20261125T0400-in-home-delivery.js";
import * as webhookFanOut from "./20261125T0510-webhook-fan-out.js";
import * as commandsPublishedWithTheirTransaction from "./20261125T0600-commands-published-with-their-transaction.js";
import * as videoSegments from "./20261125T0700-video-segments.js";
import * as visitClips from "./20261125T0800-visit-clips.js";
import * as accessPointsBeyondTheFrontDoor from "./20261206T1800-access-points-beyond-the-front-door.js";
import * as accessCodes from "./20261206T1830-access-codes.js";
import * as guestKeys from "./20261207T0100-guest-keys.js";
import * as parcelLockers from "./20261207T0200-parcel-lockers.js";
import * as inCarDelivery from "./20261207T0300-in-car-delivery.js";
import * as guestKeysPausedByBlock from "./20261207T0400-guest-keys-paused-by-block.js";
import * as videoSegmentSignatures from "./20261208T0100-video-segment-signatures.js";
import * as deviceMessageFreshness from "./20261208T0200-device-message-freshness.js";
import * as incidentRelocks from "./20261208T0300-incident-relocks.js";
import * as accessCodesWithdrawn from "./20261208T0600-access-codes-withdrawn.js";
import * as incidentDoorClosed from "./20261208T0700-incident-door-closed.js";
import * as kioskCodeFailureSource from "./20261208T0700-kiosk-code-failure-source.js";
import * as trunkConsentHomeZone from "./20261208T0800-trunk-consent-home-zone.js";

/**
 * Every migration, by timestamped name. Listed statically (not read from the file system) so the
 * same list runs under tsx, in a build and in tests.
 */
export const migrations: Record<string, Migration> = {
  "20261125T0200-foundation": foundation,
  "20261125T0300-access-point-removal": accessPointRemoval,
  "20261125T0400-in-home-delivery": inHomeDelivery,
  "20261125T0510-webhook-fan-out": webhookFanOut,
  "20261125T0600-commands-published-with-their-transaction": commandsPublishedWithTheirTransaction,
  "20261125T0700-video-segments": videoSegments,
  "20261125T0800-visit-clips": visitClips,
  "20261206T1800-access-points-beyond-the-front-door": accessPointsBeyondTheFrontDoor,
  "20261206T1830-access-codes": accessCodes,
  "20261207T0100-guest-keys": guestKeys,
  "20261207T0200-parcel-lockers": parcelLockers,
  "20261207T0300-in-car-delivery": inCarDelivery,
  "20261207T0400-guest-keys-paused-by-block": guestKeysPausedByBlock,
  "20261208T0100-video-segment-signatures": videoSegmentSignatures,
  "20261208T0200-device-message-freshness": deviceMessageFreshness,
  "20261208T0300-incident-relocks": incidentRelocks,
  "20261208T0600-access-codes-withdrawn": accessCodesWithdrawn,
  "20261208T0700-incident-door-closed": incidentDoorClosed,
  "20261208T0700-kiosk-code-failure-source": kioskCodeFailureSource,
  "20261208T0800-trunk-consent-home-zone": trunkConsentHomeZone,
};
