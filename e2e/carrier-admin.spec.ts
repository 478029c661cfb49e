import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type Page, test } from "@playwright/test";
import { DEMO, saveScreenshot, signInAs } from "./support/demo.js";

/** A webhook request as the receiver got it. */
interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  type: string;
  trackingNumber: string | undefined;
}

/**
 * A carrier's webhook receiver on loopback: it records each request and answers what `answer`
 * says for its event, so the test decides which deliveries fail.
 */
async function startReceiver(answer: (received: Received) => number) {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      const parsed = JSON.parse(body) as { type: string; data: { trackingNumber?: string } };
      const entry: Received = {
        id: String(request.headers["webhook-id"]),
        timestamp: String(request.headers["webhook-timestamp"]),
        signature: String(request.headers["webhook-signature"]),
        body,
        type: parsed.type,
        trackingNumber: parsed.data.trackingNumber,
      };
      received.push(entry);
      response.statusCode = answer(entry);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/threshold-hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Standard Webhooks: HMAC-SHA256 keyed with the secret's base64 part, over id.timestamp.body. */
function signedWith(secret: string, request: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key)
    .update(`${request.id}.${request.timestamp}.${request.body}`)
    .digest("base64");
  return request.signature.split(" ").includes(`v1,${expected}`);
}

/** Nothing wider than the phone: no sideways scrolling on the screen shown. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(widths[0]).toBeLessThanOrEqual(widths[1] ?? 0);
}

/** The demo makes its shipments (and so the carrier's destinations) after the server answers. */
async function waitForDestinations(page: Page): Promise<void> {
  await expect
    .poll(
      async () => {
        const body = (await (await page.request.get("/v1/shipments/destinations")).json()) as {
          destinations?: unknown[];
        };
        return body.destinations?.length ?? 0;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThan(0);
}

test("a dispatcher registers a webhook endpoint, creates and assigns a shipment, and retries a failed delivery", async ({
  page,
  context,
}) => {
  const tracking = `E2E-${Date.now().toString(36).toUpperCase()}`;
  // shipment.created fails until the receiver is told to accept it; everything else is accepted.
  let acceptCreated = false;
  const receiver = await startReceiver((r) => (r.type === "shipment.created" && !acceptCreated ? 500 : 204));
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  try {
    await signInAs(page, DEMO.carrierAdmin);
    await waitForDestinations(page);

    // Register an endpoint for two events chosen from the server's catalogue.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
    await page.getByRole("button", { name: "Register an endpoint" }).click();
    const form = page.getByRole("form", { name: "Register an endpoint" });
    // A URL the policy refuses is answered next to the field.
    await form.getByLabel("URL").fill("http://10.0.0.5/hooks");
    await form.getByRole("button", { name: "Register" }).click();
    await expect(form.getByRole("alert")).toContainText("webhook URL");
    await expect(form.getByLabel("URL")).toHaveAttribute("aria-invalid", "true");
    await expect(form.getByLabel("URL")).toBeFocused();

    await form.getByLabel("URL").fill(receiver.url);
    await form.getByLabel("Only the events I choose").check();
    await form.getByRole("checkbox", { name: /^shipment\.created/ }).check();
    await form.getByRole("checkbox", { name: /^shipment\.assigned/ }).check();
    await expectNoSidewaysScroll(page);
    await form.getByRole("button", { name: "Register" }).click();

    // The secret, once, with a button that copies it.
    await expect(page.getByRole("heading", { name: "Endpoint registered" })).toBeFocused();
    const secretField = page.getByLabel("Signing secret");
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await page.getByRole("button", { name: "Copy" }).click();
    await expect(page.getByText("Copied.")).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await saveScreenshot(page, "carrier-webhook-secret");
    await page.getByRole("button", { name: "Done, I have copied it" }).click();
    await expect(page.getByLabel("Signing secret")).toHaveCount(0);
    const endpoints = page.getByRole("list", { name: "Endpoints" });
    await expect(endpoints.getByRole("listitem").filter({ hasText: receiver.url })).toContainText("2 events");

    // Create a shipment: the place picked, the window in the place's zone, named.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Shipments" }).click();
    await page.getByRole("link", { name: "New shipment" }).click();
    await expect(page).toHaveURL(/\/shipments\/new$/);
    const create = page.getByRole("form", { name: "New shipment" });
    // The places the carrier shipped to, by address: Alex's home, not an id.
    await create.getByLabel("Destination").selectOption({ label: "12 Canal Street, 1012 AB Amsterdam (Alex's home)" });
    await create.getByRole("radio", { name: /^In-home/ }).check();
    await expect(
      create.getByRole("group", { name: /Delivery window, Europe\/Amsterdam \(CES?T\) time/ }),
    ).toBeVisible();
    await create.getByLabel("From", { exact: true }).fill("10:00");
    await create.getByLabel("To", { exact: true }).fill("14:00");
    await expect(create.getByText(/10:00 – 14:00 CES?T/)).toBeVisible();
    // What the server refuses shows next to its field, with focus there.
    await create.getByLabel("Tracking number").fill("NOT A NUMBER");
    await create.getByRole("button", { name: "Create shipment" }).click();
    const trackingField = create.getByLabel("Tracking number");
    await expect(trackingField).toHaveAttribute("aria-invalid", "true");
    await expect(trackingField).toBeFocused();
    await expect(create.getByRole("alert")).toHaveText(/4 to 40 letters, digits and hyphens/);
    // A window that ends before it starts: the server's invalid_window, next to the window.
    await trackingField.fill(tracking);
    await create.getByLabel("To", { exact: true }).fill("09:00");
    await create.getByRole("button", { name: "Create shipment" }).click();
    await expect(create.getByRole("alert")).toHaveText(/must end after it starts/);
    await expect(create.getByLabel("Day", { exact: true })).toBeFocused();
    await create.getByLabel("To", { exact: true }).fill("14:00");
    // Corrected, the problem is gone until the server answers again.
    await expect(create.getByRole("alert")).toHaveCount(0);
    await expectNoSidewaysScroll(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await saveScreenshot(page, "carrier-new-shipment");
    await create.getByRole("button", { name: "Create shipment" }).click();

    // Its page: created, not assigned yet; assign it to Sam.
    await expect(page).toHaveURL(/\/shipments\/shp_[0-9a-z]+\/label$/);
    await expect(page.getByRole("status").filter({ hasText: `Shipment ${tracking} created.` })).toBeVisible();
    await expect(page.getByText(/10:00 – 14:00 CES?T/)).toBeVisible();
    await expect(page.getByText("Awaiting courier")).toBeVisible();
    await page.getByLabel("Assign to").selectOption({ label: "Sam Rivera" });
    await page.getByRole("button", { name: "Assign", exact: true }).click();
    await expect(page.getByText("Assigned to Sam Rivera.")).toBeVisible();
    await expect(page.getByText(/^Out with courier/)).toBeVisible();
    await expect(page.getByLabel("Reassign to")).toHaveValue(/^usr_/);
    // A second courier, added by the admin as the API allows, to reassign it to.
    const robin = await page.request.post("/v1/users", {
      data: {
        email: `robin-${tracking.toLowerCase()}@parcelo.demo.threshold.test`,
        name: "Robin Test",
        password: "threshold-e2e-password",
        role: "courier",
      },
    });
    expect(robin.status()).toBe(201);
    await page.reload();
    await page.getByLabel("Reassign to").selectOption({ label: "Robin Test" });
    await page.getByRole("button", { name: "Reassign", exact: true }).click();
    await expect(page.getByText("Assigned to Robin Test.")).toBeVisible();
    await expect(page.getByText("Courier: Robin Test")).toBeVisible();

    // The list shows it with its courier.
    await page.getByRole("link", { name: "← All shipments" }).click();
    const card = page.getByRole("list", { name: "Shipments" }).getByRole("listitem").filter({ hasText: tracking });
    await expect(card).toContainText("Robin Test");

    // The deliveries: assigned arrived, signed with the secret shown; created failed, and is retried.
    await expect
      .poll(() => receiver.received.some((r) => r.type === "shipment.assigned" && r.trackingNumber === tracking))
      .toBe(true);
    const assigned = receiver.received.find((r) => r.type === "shipment.assigned" && r.trackingNumber === tracking);
    expect(assigned && signedWith(secret, assigned)).toBe(true);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("link", { name: `Deliveries of ${receiver.url}` }).click();
    const deliveries = page.getByRole("list", { name: "Deliveries" });
    const rows = deliveries.getByTestId("delivery").filter({ hasText: tracking });
    const assignedRow = rows.filter({ hasText: "shipment.assigned" });
    const createdRow = rows.filter({ hasText: "shipment.created" });
    // Assigned twice (Sam, then Robin): both arrived.
    await expect(assignedRow).toHaveCount(2);
    await expect(assignedRow.first()).toContainText("Delivered");
    await expect(assignedRow.last()).toContainText("Delivered");
    await expect(createdRow).toContainText("HTTP 500");
    // The first retry comes 5 s after the first failure; after it, the next is minutes away.
    await expect(createdRow.getByTestId("attempts")).toHaveText("2", { timeout: 20_000 });
    await expect(createdRow).toContainText("Failing: will retry");
    await expect(createdRow).toContainText("Next retry");
    acceptCreated = true;
    await createdRow.getByRole("button", { name: "Retry now" }).click();
    await expect(createdRow).toContainText("Delivered");
    await expect(createdRow.getByTestId("attempts")).toHaveText("3");
    await expect(createdRow.getByRole("button", { name: "Retry now" })).toHaveCount(0);
    const sent = receiver.received.filter((r) => r.type === "shipment.created" && r.trackingNumber === tracking);
    expect(sent).toHaveLength(3);
    // The same webhook-id every time, so the receiver can drop duplicates; each signed.
    expect(new Set(sent.map((r) => r.id)).size).toBe(1);
    expect(sent.every((r) => signedWith(secret, r))).toBe(true);
    await expectNoSidewaysScroll(page);
    await saveScreenshot(page, "carrier-webhook-deliveries");

    // Disable it: asked once more; then nothing more is offered.
    await page.getByRole("button", { name: "Disable endpoint" }).click();
    await page.getByRole("button", { name: "Disable it" }).click();
    await expect(page.getByText(/^Disabled .*nothing more is sent to it/)).toBeVisible();
    await page.getByRole("link", { name: "← All endpoints" }).click();
    await expect(
      page.getByRole("list", { name: "Endpoints" }).getByRole("listitem").filter({ hasText: receiver.url }),
    ).toContainText("Disabled");
  } finally {
    await receiver.close();
  }
});

test("people other than carrier admins have no carrier screens", async ({ page }) => {
  await signInAs(page, DEMO.courier);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" })).toHaveCount(0);
  expect((await page.request.get("/v1/webhooks/endpoints")).status()).toBe(403);
  expect((await page.request.get("/v1/shipments/destinations")).status()).toBe(403);
});
