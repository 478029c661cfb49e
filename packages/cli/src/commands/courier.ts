import { createThresholdClient, signIn, ThresholdApiError, type ThresholdClient, unwrap } from "@threshold/sdk";
import type { Command } from "commander";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../demo/accounts.js";

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
  const { cookie } = await signIn(options.server, options.email, options.password);
  return createThresholdClient({ baseUrl: options.server, cookie });
}

function withLogin(command: Command): Command {
  return command
    .option("--server <url>", "the Threshold server", process.env.PUBLIC_URL ?? "http://localhost:8080")
    .option(
      "--email <email>",
      "the courier's email (default: the demo courier)",
      process.env.THRESHOLD_EMAIL ?? DEMO_ACCOUNTS.courier.email,
    )
    .option("--password <password>", "the courier's password", process.env.THRESHOLD_PASSWORD ?? DEMO_PASSWORD);
}

/** Prints an answer the way the courier's phone shows it: one big word, then the sentence. */
function show(visit: {
  id: string | null;
  status: string;
  message: string;
  refusals: { code: string; message: string }[];
  deadlineAt: string | null;
  innerAccessPoint?: { openedAt: string | null } | null;
}): void {
  const headline =
    visit.status === "open" ? "OPEN" : visit.status === "secured" ? "LOCKED" : visit.status.toUpperCase();
  console.log(`\n  ${headline}\n  ${visit.message}`);
  for (const refusal of visit.refusals.slice(1)) console.log(`  also: ${refusal.message} (${refusal.code})`);
  if (visit.refusals.length > 0) console.log(`  codes: ${visit.refusals.map((r) => r.code).join(", ")}`);
  if (visit.status === "open" && visit.id) {
    if (visit.deadlineAt) console.log(`  Secure it by ${new Date(visit.deadlineAt).toLocaleTimeString()}.`);
    if (visit.innerAccessPoint && !visit.innerAccessPoint.openedAt) {
      console.log(`\n  The fridge is behind this door:  threshold courier open-next ${visit.id}`);
    } else if (visit.innerAccessPoint?.openedAt) {
      console.log("  The fridge is open too; securing locks it first, then the front door.");
    }
    console.log(`\n  When the package is inside and the door closed:  threshold courier secure ${visit.id}`);
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
      const ready = stop.readiness ? (stop.readiness.ready ? "ready" : "not ready") : "doorstep";
      console.log(
        `${stop.trackingNumber}  ${stop.method.padEnd(9)} ${ready.padEnd(10)} ${stop.site.address.line1}, ${stop.site.address.city}`,
      );
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
    show(visit);
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
    show(visit);
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
      show(visit);
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
