import path from "node:path";
import type { FleetDevice, RunningFleet } from "@threshold/devices";
import { DEVICE_SOCKET_NAME, FLEET_VIDEO, type FleetVideo } from "@threshold/devices/control";
import { createThresholdClient, signIn, unwrap } from "@threshold/sdk";
import { type Command, InvalidArgumentError } from "commander";
import { cameraVideo, cameraVideoLine } from "../camera-video.js";
import { onShutdown } from "../run.js";
import { defaultServerUrl, fetchFrom, SERVER_OPTION_HELP } from "../server-url.js";

interface SimulateOptions {
  fleet?: string;
  locks: number;
  cameras: number;
  garages: number;
  fridges: number;
  cars: number;
  lockers: number;
  server: string;
  broker?: string;
  stateDir: string;
  claimSite?: string;
  email?: string;
  password?: string;
  video: FleetVideo;
}

function videoKind(value: string): FleetVideo {
  if (!(FLEET_VIDEO as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`one of ${FLEET_VIDEO.join(", ")}`);
  }
  return value as FleetVideo;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new InvalidArgumentError("a whole number from 0 to 10000");
  return n;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command("simulate")
    .description(
      "Run simulated locks, cameras, garage openers, fridge locks, cars and parcel locker controllers that speak the real device protocol. New devices show a pairing code to enter in Threshold (or are claimed into a site with --claim-site). While they run, `threshold device` and `threshold locker` play the physical world around them (open a door, warm a fridge, break a garage's beam, put a parcel in a locker…) through the control socket <state-dir>/control.sock (mode 0600: only you can use it).",
    )
    .option(
      "--fleet <file>",
      'a JSON fleet file: {"devices":[{"name":"front-lock","kind":"lock","autoRelockS":30},{"name":"garage","kind":"garage_opener","travelS":8,"autoCloseS":600},{"name":"fridge","kind":"lock","temperatureC":4},{"name":"lobby","kind":"locker_controller","compartments":12}]}',
    )
    .option("--locks <n>", "number of simulated locks, when no fleet file is given", count, 1)
    .option("--cameras <n>", "number of simulated cameras, when no fleet file is given", count, 1)
    .option("--garages <n>", "number of simulated garage door openers, when no fleet file is given", count, 0)
    .option(
      "--fridges <n>",
      "number of simulated fridge locks (locks reporting the temperature inside, 4 °C), when no fleet file is given",
      count,
      0,
    )
    .option(
      "--cars <n>",
      "number of simulated cars (vehicles parked at Amsterdam's Dam; move them with `threshold car`), when no fleet file is given",
      count,
      0,
    )
    .option(
      "--lockers <n>",
      "number of simulated parcel locker controllers (12 compartments each), when no fleet file is given",
      count,
      0,
    )
    .option("--server <url>", SERVER_OPTION_HELP, defaultServerUrl())
    .option("--broker <url>", "MQTT broker to use instead of the one the server names at pairing")
    .option(
      "--video <kind>",
      "what cameras film and upload: ffmpeg (real H.264 test pattern with name and clock), synthetic (marker bytes, no encoder; for load) or none (never live, so their doors never open)",
      videoKind,
      "ffmpeg" as FleetVideo,
    )
    .option(
      "--state-dir <dir>",
      "where device identities are kept, and the control socket (control.sock) that `threshold device` and `threshold locker` use",
      path.resolve(process.env.DATA_DIR ?? "data", "simulator"),
    )
    .option(
      "--claim-site <siteId>",
      "pair new devices straight into this site (needs the owner's --email and --password)",
    )
    .option("--email <email>", "the site owner's email, for --claim-site", process.env.THRESHOLD_EMAIL)
    .option("--password <password>", "the site owner's password, for --claim-site", process.env.THRESHOLD_PASSWORD)
    .action(async (options: SimulateOptions) => {
      const { loadFleetFile, runFleet } = await import("@threshold/devices");
      const devices: FleetDevice[] = options.fleet
        ? (await loadFleetFile(options.fleet)).devices
        : [
            ...Array.from({ length: options.locks }, (_, i) => ({ name: `lock-${i + 1}`, kind: "lock" as const })),
            ...Array.from({ length: options.cameras }, (_, i) => ({
              name: `camera-${i + 1}`,
              kind: "camera" as const,
            })),
            ...Array.from({ length: options.garages }, (_, i) => ({
              name: `garage-${i + 1}`,
              kind: "garage_opener" as const,
            })),
            ...Array.from({ length: options.fridges }, (_, i) => ({
              name: `fridge-${i + 1}`,
              kind: "lock" as const,
              temperatureC: 4,
            })),
            ...Array.from({ length: options.cars }, (_, i) => ({ name: `car-${i + 1}`, kind: "vehicle" as const })),
            ...Array.from({ length: options.lockers }, (_, i) => ({
              name: `lockers-${i + 1}`,
              kind: "locker_controller" as const,
              compartments: 12,
            })),
          ];
      if (options.video === "ffmpeg" && devices.some((device) => device.kind === "camera")) {
        // Which ffmpeg films, before the cameras start; without one each camera says why it cannot.
        const video = cameraVideo(process.env);
        console.log(
          `Camera video: ${video.ffmpeg ? cameraVideoLine(video) : `no ffmpeg found (${video.problems.join("; ")}); the cameras send no video, so their doors never open`}`,
        );
      }
      const claim = options.claimSite ? await claimer(options, options.claimSite) : undefined;
      const controller = new AbortController();
      let fleet: RunningFleet | undefined;
      onShutdown(async () => {
        controller.abort(new Error("stopped"));
        await fleet?.stop();
      });
      fleet = await runFleet({
        serverUrl: options.server,
        fetch: fetchFrom(options.server),
        stateDir: options.stateDir,
        devices,
        ...(options.broker ? { brokerUrl: options.broker } : {}),
        ...(claim ? { claim } : {}),
        video: options.video,
        log: (line) => console.log(line),
        signal: controller.signal,
      });
      console.log(`${fleet.agents.size} simulated device(s) running. Ctrl-C stops them.`);
      console.log(
        `Drive them by hand: \`threshold device list\`, \`threshold device door <name> open\`, \`threshold locker put <name> <n>\` (--help on each); control socket: ${path.join(options.stateDir, DEVICE_SOCKET_NAME)}`,
      );
    });
}

async function claimer(
  options: SimulateOptions,
  siteId: string,
): Promise<(code: string, device: FleetDevice) => Promise<void>> {
  if (!options.email || !options.password) {
    throw new InvalidArgumentError(
      "--claim-site needs --email and --password (or THRESHOLD_EMAIL and THRESHOLD_PASSWORD)",
    );
  }
  const fetch = fetchFrom(options.server);
  const { cookie } = await signIn(options.server, options.email, options.password, fetch);
  const client = createThresholdClient({ baseUrl: options.server, cookie, fetch });
  return async (code, device) => {
    unwrap(
      await client.POST("/v1/sites/{siteId}/devices", {
        params: { path: { siteId } },
        body: { pairingCode: code, name: device.name },
      }),
    );
  };
}
