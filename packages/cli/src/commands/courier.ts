import { createThresholdClient, signIn, ThresholdApiError, type ThresholdClient, unwrap } from "@threshold/sdk";
import type { Command } from "commander";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../demo/accounts.js";
import { defaultServerUrl, fetchFrom, withServerOption } from "../server-url.js";

interface CourierOptions {
  server: string;
  email: string;
  password: string;
}

interface ScanOptions extends CourierOptions {
  lat?: string;
  lng?: string;
}

async function courierClient(options: CourierOptions): Promise<ThresholdClient> {
  const fetch = fetchFrom(options.server);
  const { cookie } = await signIn(options.server, options.email, options.password, fetch);
  return createThresholdClient({ baseUrl: options.server, cookie, fetch });
}

function withLogin(command: Command): Command {
  return withServerOption(command)
    .option(
      "--email <email>",
      "the courier's email (default: the demo courier)",
      process.env.THRESHOLD_EMAIL ?? DEMO_ACCOUNTS.courier.email,
    )
    .option("--password <password>", "the courier's password", process.env.THRESHOLD_PASSWORD ?? DEMO_PASSWORD);
}

type StopRow = {
  method: string;
  timeZone: string;
  readiness: { ready: boolean; windowOpensAt: string | null; inWindow: boolean } | null;
  lockerBanks?: { name: string }[];
};

/** One word for the stop: whether its door could open now, or what kind of stop opens nothing. */
function stopState(stop: StopRow): string {
  if (stop.readiness) return stop.readiness.ready ? "ready" : "not ready";
  return stop.method === "locker" ? "locker" : "doorstep";
}

/** The line under a stop when there is something to know before going: the bank, or when the window opens. */
function stopHint(stop: StopRow): string | null {
  if (stop.method === "locker") {
    const banks = (stop.lockerBanks ?? []).map((bank) => bank.name);
    return banks.length === 0
      ? "no locker bank at this building now: call dispatch"
      : `go to ${banks.join(" or ")} and scan it there: the compartment opens on the scan`;
  }
  if (stop.readiness?.windowOpensAt) return `window opens at ${placeTime(stop.readiness.windowOpensAt, stop.timeZone)}`;
  if (stop.readiness && !stop.readiness.inWindow) return "its delivery window has ended";
  return null;
}

/** "16:11 CET": in the place's zone, named, as the web app and the label show it. */
function placeTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(new Date(iso));
}

/** Prints an answer the way the courier's phone shows it: one big word, then the sentence. */
function show(
  visit: {
    id: string | null;
    status: string;
    message: string;
    refusals: { code: string; message: string }[];
    deadlineAt: string | null;
    innerAccessPoint?: { openedAt: string | null } | null;
    secure?: unknown;
  },
  server: string,
): void {
  const headline =
    visit.status === "open" ? "OPEN" : visit.status === "secured" ? "LOCKED" : visit.status.toUpperCase();
  console.log(`\n  ${headline}\n  ${visit.message}`);
  for (const refusal of visit.refusals.slice(1)) console.log(`  also: ${refusal.message} (${refusal.code})`);
  if (visit.refusals.length > 0) console.log(`  codes: ${visit.refusals.map((r) => r.code).join(", ")}`);
  if (visit.status === "open" && visit.id) {
    if (visit.deadlineAt) console.log(`  Secure it by ${new Date(visit.deadlineAt).toLocaleTimeString()}.`);
    // Named again only when not the default, so the printed command works from any terminal.
    const serverFlag = server === defaultServerUrl() ? "" : ` --server ${server}`;
    if (visit.innerAccessPoint && !visit.innerAccessPoint.openedAt) {
      console.log(`\n  The fridge is behind this door:  threshold courier open-next ${visit.id}${serverFlag}`);
    } else if (visit.innerAccessPoint?.openedAt) {
      console.log("  The fridge is open too; securing locks it first, then the front door.");
    }
    console.log(
      `\n  When the package is inside and the door closed:  threshold courier secure ${visit.id}${serverFlag}`,
    );
  }
  console.log("");
}

/** The failed rules a conflict carries in its details, when it carries any. */
function refusalsIn(details: Record<string, unknown> | null): { code: string; message: string }[] {
  const refusals = details?.refusals;
  if (!Array.isArray(refusals)) return [];
  return refusals.filter(
    (r): r is { code: string; message: string } =>
      typeof r === "object" && r !== null && typeof r.code === "string" && typeof r.message === "string",
  );
}

export function registerCourierCommands(program: Command): void {
  const courier = program
    .command("courier")
    .description("Act as a courier from the terminal (the demo courier unless --email is given)");

  withLogin(
    courier.command("stops").description("Today's stops with their readiness: lock, door, camera, consent"),
  ).action(async (options: CourierOptions) => {
    const client = await courierClient(options);
    const { stops } = unwrap(await client.GET("/v1/courier/stops"));
    if (stops.length === 0) console.log("No stops today.");
    for (const stop of stops) {
      console.log(
        `${stop.trackingNumber}  ${stop.method.padEnd(9)} ${stopState(stop).padEnd(10)} ${stop.site.address.line1}, ${stop.site.address.city}`,
      );
      const hint = stopHint(stop);
      if (hint) console.log(`  ${hint}`);
    }
  });

  withLogin(
    courier
      .command("scan")
      .description("Scan a package at the door: opens it if every rule holds, or says exactly why not")
      .argument("<tracking>", "the tracking number on the label")
      .option("--lat <lat>", "where you are (default: at the stop's door; for a car's trunk, beside the car)")
      .option("--lng <lng>", "where you are (default: at the stop's door; for a car's trunk, beside the car)"),
  ).action(async (tracking: string, options: ScanOptions) => {
    const client = await courierClient(options);
    let location = options.lat && options.lng ? { lat: Number(options.lat), lng: Number(options.lng) } : null;
    if (!location) {
      // Without GPS, stand at the door of the stop this package belongs to.
      const { stops } = unwrap(await client.GET("/v1/courier/stops"));
      const stop = stops.find((s) => s.trackingNumber === tracking);
      location = stop?.site.location ?? { lat: 0, lng: 0 };
      // A car's trunk: stand beside the car, where the server says it is (only during the window).
      if (stop?.method === "in_trunk") {
        const car = await client.GET("/v1/courier/stops/{id}/car", {
          params: { path: { id: stop.shipmentId }, query: location },
        });
        if (car.data?.position) {
          location = { lat: car.data.position.lat, lng: car.data.position.lng };
          console.log(`The car: ${car.data.colour} ${car.data.make} ${car.data.model}, plate ${car.data.plate}.`);
        }
      }
    }
    console.log(`Scanning ${tracking}…`);
    const visit = unwrap(
      await client.POST("/v1/visits", {
        body: { trackingNumber: tracking, location },
        headers: { "idempotency-key": `cli-${tracking}-${Date.now()}` },
      }),
    );
    show(visit, options.server);
    if (visit.status !== "open") process.exitCode = 3;
  });

  withLogin(
    courier
      .command("secure")
      .description("Done: lock the door, and wait until the lock confirms it is locked and the door closed")
      .argument("<visit>", "the visit id printed by scan"),
  ).action(async (visitId: string, options: CourierOptions) => {
    const client = await courierClient(options);
    console.log("Locking…");
    const visit = unwrap(await client.POST("/v1/visits/{visitId}/secure", { params: { path: { visitId } } }));
    show(visit, options.server);
    if (visit.status !== "secured") process.exitCode = 3;
  });

  withLogin(
    courier
      .command("open-next")
      .description(
        "Inside a chained visit, open the next access point (the fridge behind the front door); every rule is checked again",
      )
      .argument("<visit>", "the visit id printed by scan"),
  ).action(async (visitId: string, options: CourierOptions) => {
    const client = await courierClient(options);
    console.log("Opening the next door…");
    try {
      const visit = unwrap(
        await client.POST("/v1/visits/{visitId}/open-next", {
          params: { path: { visitId } },
          headers: { "idempotency-key": `cli-open-next-${visitId}-${Date.now()}` },
        }),
      );
      show(visit, options.server);
    } catch (error) {
      // A refusal is an answer for the courier, said like scan's, not a crash of the command.
      if (!(error instanceof ThresholdApiError) || error.status !== 409) throw error;
      console.log(`\n  REFUSED\n  ${error.message} (${error.code})`);
      for (const refusal of refusalsIn(error.details)) console.log(`  - ${refusal.message} (${refusal.code})`);
      console.log("");
      process.exitCode = 3;
    }
  });
}
