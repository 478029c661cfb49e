import { type APIRequestContext, type APIResponse, request } from "@playwright/test";
import { baseUrl, DEMO, DEMO_PASSWORD, demoApiKey, saveScreenshot, signInAs } from "./support/demo.js";
import { expect, test } from "./support/fixtures.js";

const HOUR = 3_600_000;

async function json<T>(response: APIResponse): Promise<T> {
  expect(response.ok(), `${response.url()}: ${response.status()} ${await response.text()}`).toBe(true);
  return (await response.json()) as T;
}

/** An API session of a demo person (the cookie stays in the context), for setting up what the UI then shows. */
async function signedIn(email: string): Promise<APIRequestContext> {
  const context = await request.newContext({ baseURL: baseUrl() });
  await json(await context.post("/v1/auth/login", { data: { email, password: DEMO_PASSWORD } }));
  return context;
}

interface Home {
  siteId: string;
  location: { lat: number; lng: number };
}

/**
 * A shipment of this test's own to Alex's home, assigned to Sam, sent as the carrier's dispatch
 * system sends it (the bodies of the demo's own shipments): whatever other specs did with the
 * demo's shipments, this one is undelivered and inside its window.
 */
async function createShipmentForSam(trackingNumber: string, home: Home, courierId: string): Promise<string> {
  const carrier = await request.newContext({
    baseURL: baseUrl(),
    extraHTTPHeaders: { authorization: `Bearer ${demoApiKey()}` },
  });
  try {
    const now = Date.now();
    const shipment = await json<{ id: string }>(
      await carrier.post("/v1/shipments", {
        data: {
          trackingNumber,
          siteId: home.siteId,
          method: "in_home",
          window: { start: new Date(now - HOUR / 2).toISOString(), end: new Date(now + 3 * HOUR).toISOString() },
          size: { lengthCm: 30, widthCm: 20, heightCm: 15 },
          weightG: 1200,
        },
      }),
    );
    await json(await carrier.post(`/v1/shipments/${shipment.id}/assign`, { data: { courierId } }));
    return shipment.id;
  } finally {
    await carrier.dispose();
  }
}

test.describe("recipient: live delivery, deliveries and proof", () => {
  // The second test reads the proof of the delivery the first one makes.
  test.describe.configure({ mode: "serial" });
  let courier: APIRequestContext;
  let home: Home;
  let trackingNumber: string;
  let shipmentId: string;

  test.beforeAll(async () => {
    const alex = await signedIn(DEMO.recipient);
    try {
      const { sites } = await json<{ sites: { id: string; location: Home["location"] }[] }>(
        await alex.get("/v1/sites"),
      );
      const site = sites[0];
      if (!site) throw new Error("the demo seeded no home for Alex");
      home = { siteId: site.id, location: site.location };
    } finally {
      await alex.dispose();
    }
    courier = await signedIn(DEMO.courier);
    const me = await json<{ user: { id: string } }>(await courier.get("/v1/me"));
    trackingNumber = `E2E-LIVE-${Date.now().toString(36).toUpperCase()}`;
    shipmentId = await createShipmentForSam(trackingNumber, home, me.user.id);
    // The courier sees it among the stops, as the demo's DEMO-…-A would be.
    const { stops } = await json<{ stops: { trackingNumber: string }[] }>(await courier.get("/v1/courier/stops"));
    expect(stops.map((s) => s.trackingNumber)).toContain(trackingNumber);
  });
  test.afterAll(async () => courier?.dispose());

  test("Alex sees Sam at the door live, then checks the signed proof in the browser", async ({ page }) => {
    await signInAs(page, DEMO.recipient);
    await expect(page).toHaveURL(/\/home$/);
    const banner = page.getByRole("region", { name: "Live delivery" });
    await expect(banner).toHaveCount(0);

    const visit = await json<{ id: string; status: string }>(
      await courier.post("/v1/visits", {
        data: { trackingNumber, location: home.location, siteId: home.siteId },
        headers: { "idempotency-key": `e2e-${trackingNumber}` },
      }),
    );
    expect(visit.status).toBe("open");
    try {
      // The stream brings it within a second of the door opening.
      await expect(banner).toContainText("Sam is delivering to Front door now", { timeout: 2_000 });
      await saveScreenshot(page, "recipient-live-banner");

      // A page loaded during the visit shows it too, not only one that saw it start.
      await page.reload();
      await expect(banner).toContainText("Sam is delivering to Front door now");

      await banner.getByRole("link", { name: "Watch live" }).click();
      await expect(page).toHaveURL(new RegExp(`/live/${visit.id}$`));
      await expect(page.getByRole("heading", { name: "Live delivery", level: 1 })).toBeVisible();
      // The witness camera's live video, with the server's word on its freshness.
      const player = page.getByRole("region", { name: "Video of Front door" });
      await expect(player.getByTestId("camera-freshness")).toHaveText("LIVE", { timeout: 10_000 });
      await expect
        .poll(() => player.locator("video").evaluate((video: HTMLVideoElement) => video.currentTime), {
          message: "the visit's live video plays",
          timeout: 20_000,
        })
        .toBeGreaterThan(0);
      await saveScreenshot(page, "recipient-live-visit");
      const facts = page.getByRole("region", { name: "Visit" });
      await expect(facts).toContainText("Front door");
      await expect(facts).toContainText("Sam");
      await expect(facts).toContainText("Door unlocked");
      const elapsed = facts.locator(".live-elapsed");
      const before = await elapsed.textContent();
      await expect(elapsed).not.toHaveText(before ?? "", { timeout: 3_000 }); // it counts up
    } finally {
      // Whatever happened above, the demo home is left locked.
      const secured = await json<{ status: string }>(await courier.post(`/v1/visits/${visit.id}/secure`));
      expect(secured.status).toBe("secured");
    }

    await expect(banner).toContainText("Door locked — delivery complete", { timeout: 2_000 });
    await expect(page.getByRole("region", { name: "Visit" })).toContainText("Locked — delivered");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deliveries" }).click();
    await expect(page).toHaveURL(/\/deliveries$/);
    const past = page.getByRole("list", { name: "Past deliveries" });
    const delivered = past.getByRole("listitem").filter({ hasText: trackingNumber });
    await expect(delivered).toContainText("Delivered");
    await expect(delivered).toContainText("In-home");
    await expect(delivered).toContainText("Parcelo Express");
    // The demo's later shipment is still to come.
    await expect(page.getByRole("list", { name: "Upcoming deliveries" })).toContainText(/DEMO-.*-B/);
    await saveScreenshot(page, "recipient-deliveries");

    await delivered.getByRole("link", { name: "Proof of delivery" }).click();
    await expect(page).toHaveURL(new RegExp(`/deliveries/${shipmentId}$`));
    await expect(page.getByRole("heading", { name: "Proof of delivery" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Delivery", exact: true })).toContainText("by Sam");
    const timeline = page.locator(".proof-timeline");
    for (const step of ["Requested", "Camera recording", "Unlocked", "Locked", "Secured"]) {
      await expect(timeline.getByRole("listitem").filter({ hasText: step }).first()).toContainText(/\d\d:\d\d:\d\d/);
    }
    await page.getByRole("button", { name: "Verify proof" }).click();
    const result = page.getByRole("status").filter({ hasText: /^Proof (verified|does NOT verify)/ });
    await expect(result).toContainText("Proof verified");
    await expect(result).toContainText(/[1-9]\d* signatures and [1-9]\d* hashes checked/);
    await saveScreenshot(page, "recipient-proof");
  });

  test("a proof altered on its way to the browser does not verify, and says why", async ({ page }) => {
    // The test above delivered this shipment; its proof is served, then edited in flight.
    await page.route(`**/v1/shipments/${shipmentId}/proof`, async (route) => {
      const response = await route.fetch();
      const proof = (await response.json()) as { auditEvents: { data: Record<string, unknown> }[] };
      const first = proof.auditEvents[0];
      if (!first) throw new Error("the proof has no audit events");
      first.data = { ...first.data, courierFirstName: "Mallory" };
      await route.fulfill({ response, json: proof });
    });
    await signInAs(page, DEMO.recipient);
    await page.goto(`/deliveries/${shipmentId}`);
    await page.getByRole("button", { name: "Verify proof" }).click();
    const result = page.getByRole("status").filter({ hasText: /^Proof (verified|does NOT verify)/ });
    await expect(result).toContainText("Proof does NOT verify");
    await expect(result).toContainText("hash does not match its content");
  });
});
