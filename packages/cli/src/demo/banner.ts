import path from "node:path";
import { type CameraVideo, cameraVideoLine, noFfmpegLines } from "../camera-video.js";
import { defaultServerUrl } from "../server-url.js";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "./accounts.js";

export interface BannerInfo {
  url: string;
  mqttUrl: string;
  apiKey: string;
  dataDir: string;
  siteId: string;
  shipments: { ready: string; later: string; trunk: string };
  bankId: string;
  lockerParcel: string;
  /** Which ffmpeg the porch camera films with; without one, in-home deliveries cannot open. */
  video: CameraVideo;
}

/**
 * What a person needs to start using the demo, printed once everything is up. Its commands are
 * run from another terminal, which has none of this one's PORT, PUBLIC_URL or DATA_DIR: a command
 * names the server and the fleet's directory whenever they differ from what a bare `threshold`
 * would assume, so it works as printed.
 */
export function bannerText(info: BannerInfo): string {
  const server = info.url === defaultServerUrl({}) ? "" : ` --server ${info.url}`;
  const fleetDir = path.join(info.dataDir, "fleet");
  const stateDir = fleetDir === path.resolve("data", "fleet") ? "" : ` --state-dir ${fleetDir}`;
  const accounts = DEMO_ACCOUNTS;
  const rows = [
    [accounts.recipient, "Alex: a home with a front-door lock and porch camera, and a car"],
    [accounts.courier, "Sam, a Parcelo Express courier"],
    [accounts.carrierAdmin, "Parcelo Express dispatch"],
    [accounts.operator, "fleet, audit and key rotation"],
    [accounts.manager, "Morgan, manager of Canal House and its lobby lockers"],
    [accounts.resident, "Jo, a Canal House resident who collects from the lockers"],
  ] as const;
  // Each account by the title the sign-in page shows too (GET /v1/demo), so the words agree.
  const titleWidth = Math.max(...rows.map(([account]) => account.title.length)) + 2;
  const width = Math.max(...rows.map(([account]) => account.email.length));
  const noFfmpeg = noFfmpegLines(info.video);
  // Without video the door never opens: the banner must not promise that it does.
  const scanOutcome =
    noFfmpeg.length > 0 ? "refused without ffmpeg: camera_not_live" : "checks every rule, camera records, door unlocks";
  return [
    "",
    "Threshold is running.",
    "",
    ...(noFfmpeg.length > 0 ? [...noFfmpeg, ""] : []),
    `  Web app      ${info.url}   (sign in as any account below; on a phone, try HOST=0.0.0.0)`,
    `  API          ${info.url}/v1   (health: ${info.url}/health)`,
    `  API docs     ${info.url}/docs`,
    `  MQTT         ${info.mqttUrl}   (devices only, one login each)`,
    `  Data         ${info.dataDir}`,
    `  Camera video ${cameraVideoLine(info.video)}`,
    "",
    `  Sign in (every demo password is "${DEMO_PASSWORD}"):`,
    ...rows.map(
      ([account, what]) => `    ${account.title.padEnd(titleWidth)}${account.email.padEnd(width + 2)}${what}`,
    ),
    "",
    `  Carrier API key (Parcelo Express): ${info.apiKey}`,
    "",
    "  Deliver a package into Alex's home, as Sam the courier:",
    `    npx threshold courier stops${server}                     # today's stops and whether each door is ready`,
    `    npx threshold courier scan ${info.shipments.ready}${server}      # ${scanOutcome}`,
    `    npx threshold courier secure <visit id>${server}         # locks, and waits for the lock to confirm`,
    `    npx threshold courier scan ${info.shipments.later}${server}      # refused: outside its delivery window`,
    `    npx threshold keypad type <code>${stateDir}      # type a carrier's keypad code on Alex's lock (docs/access-codes.md)`,
    "",
    "  Parcel lockers (docs/lockers.md):",
    `    Kiosk screen  ${info.url}/kiosk/${info.bankId}`,
    `    As Sam, Lockers → Canal House lobby lockers → scan ${info.lockerParcel}; Jo's pickup code appears under Lockers.`,
    "",
    "  Deliver into the trunk of Alex's car, parked up the street (docs/in-car-delivery.md):",
    `    npx threshold courier scan ${info.shipments.trunk} --lat 52.3741 --lng 4.8922${server}   # beside the car`,
    `    npx threshold car open-trunk${stateDir}   # lift the lid; then close-trunk, and secure the visit`,
    `    npx threshold car drive${stateDir}        # try scanning again: refused, the car is being driven`,
    "",
    "  Be the physical world around the demo's devices (docs/simulator.md):",
    `    npx threshold device list${stateDir}                       # every simulated device and what it reports`,
    `    npx threshold device door front-door-lock open${stateDir}  # a hand on the door (unlocked: it opens; locked: forced)`,
    `    npx threshold locker put lobby-lockers 3${stateDir}        # a parcel into an open compartment; then: locker close`,
    `    npx threshold device camera porch-camera freeze${stateDir} # the picture stops; the live view says STALE`,
    "",
    "  Or with curl:",
    `    curl -s ${info.url}/health`,
    `    curl -s -c /tmp/th.cookies -H 'content-type: application/json' \\`,
    `      -d '{"email":"${DEMO_ACCOUNTS.recipient.email}","password":"${DEMO_PASSWORD}"}' ${info.url}/v1/auth/login`,
    `    curl -s -b /tmp/th.cookies ${info.url}/v1/sites/${info.siteId}/devices    # the lock and camera, online`,
    "",
    "  Ctrl-C stops everything; the next start picks up where this one left off.",
    "",
  ].join("\n");
}
