import fs from "node:fs";
import { createRequire } from "node:module";
import { inflateSync } from "node:zlib";
import { newId } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";

// zxing-wasm would fetch its wasm from a CDN; the copy in node_modules keeps the test offline.
const wasmPath = createRequire(import.meta.url).resolve("zxing-wasm/reader/zxing_reader.wasm");
prepareZXingModule({ overrides: { wasmBinary: fs.readFileSync(wasmPath).buffer as ArrayBuffer } });

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The text drawn in a PDF made by pdf-lib: its content streams inflated, hex strings decoded. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString("latin1");
  const texts: string[] = [];
  for (const match of raw.matchAll(/stream\r?\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const end = raw.indexOf("endstream", start);
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString("latin1");
    } catch {
      continue;
    }
    for (const hex of content.matchAll(/<([0-9A-Fa-f]+)> Tj/g))
      texts.push(Buffer.from(hex[1] ?? "", "hex").toString("latin1"));
  }
  return texts.join("\n");
}

describe.each(TEST_DATABASES)("shipping labels on %s", (database) => {
  let server: TestServer;
  let request: ApiRequest;
  let admin: SignedInUser;
  let shipmentId: string;
  const trackingNumber = `LBL-${Date.now().toString(36).toUpperCase()}`;

  const label = (id: string, query: string, auth: { cookie?: string; bearer?: string } = {}) =>
    fetch(`${server.url}/v1/shipments/${id}/label${query}`, {
      headers: {
        ...(auth.cookie ? { cookie: auth.cookie } : {}),
        ...(auth.bearer ? { authorization: `Bearer ${auth.bearer}` } : {}),
      },
    });

  beforeAll(async () => {
    server = await startTestServer({ database });
    request = apiClient(server.url);
    admin = await signInAs(server, "carrier_admin");
    const recipient = await signInAs(server, "recipient");
    await server.ctx.db.updateTable("users").set({ name: "Zoë Janssen" }).where("id", "=", recipient.id).execute();
    const site = await request("POST", "/v1/sites", {
      cookie: recipient.cookie,
      body: {
        name: "Canal house",
        address: { line1: "12 Canal Street", city: "Amsterdam", postalCode: "1012 AB", country: "NL" },
        location: { lat: 52.3731, lng: 4.8922 },
        geofenceRadiusM: 150,
      },
    });
    expect(site.status).toBe(201);
    const now = server.ctx.clock.now();
    shipmentId = newId("shipment", now);
    await server.ctx.db
      .insertInto("shipments")
      .values({
        id: shipmentId,
        tracking_number: trackingNumber,
        carrier_id: admin.carrierId as string,
        recipient_id: recipient.id,
        site_id: site.body.id,
        method: "doorstep",
        window_start: now,
        window_end: now + 4 * 3_600_000,
        weight_g: 2400,
        perishable: 1,
        signature_required: 0,
        status: "created",
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("prints a PNG whose Code 128 and QR both read back as the tracking number", async () => {
    const res = await label(shipmentId, "?format=png", { cookie: admin.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toBe(`inline; filename="label-${trackingNumber}.png"`);
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    // 4×6 inches at 203 dpi.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([812, 1218]);
    const read = await readBarcodes(new Blob([png], { type: "image/png" }), { formats: ["Code128", "QRCode"] });
    expect(read.map((barcode) => [barcode.format, barcode.text]).sort()).toEqual([
      ["Code128", trackingNumber],
      ["QRCode", trackingNumber],
    ]);
  });

  it("prints a 4×6 inch PDF with the address block, method, window and carrier", async () => {
    const res = await label(shipmentId, "?format=pdf", { cookie: admin.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe(`inline; filename="label-${trackingNumber}.pdf"`);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.toString("latin1")).toMatch(/\/MediaBox \[ 0 0 288 432 \]/);
    const text = pdfText(pdf);
    for (const expected of [
      trackingNumber,
      "Zoe Janssen", // accents dropped: the label prints ASCII
      "12 Canal Street",
      "1012 AB AMSTERDAM",
      "Site: Canal house",
      "DOORSTEP",
      "Test Carrier",
      "PERISHABLE - KEEP COOL",
      "Weight 2.4 kg",
    ]) {
      expect(text).toContain(expected);
    }
    // No front door consent names a zone, so the window is printed in UTC; a window that runs past
    // midnight (the test's starts now and lasts 4 h) names the second day too.
    expect(text).toMatch(/\d\d:\d\d -\s*(?:[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} )?\d\d:\d\d UTC/);
    // PDF is the default format.
    expect((await label(shipmentId, "", { cookie: admin.cookie })).headers.get("content-type")).toBe("application/pdf");
  });

  it("serves the carrier's API keys with shipments:read, and refuses keys without it", async () => {
    const withRead = await request("POST", "/v1/api-keys", {
      cookie: admin.cookie,
      body: { name: "Depot printer", scopes: ["shipments:read"] },
    });
    const writeOnly = await request("POST", "/v1/api-keys", {
      cookie: admin.cookie,
      body: { name: "Checkout", scopes: ["shipments:write"] },
    });
    expect((await label(shipmentId, "?format=png", { bearer: withRead.body.key })).status).toBe(200);
    const refused = await label(shipmentId, "?format=png", { bearer: writeOnly.body.key });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  });

  it("is nobody else's: anonymous 401, other roles 403, another carrier and unknown ids 404, bad format 400", async () => {
    expect((await label(shipmentId, "?format=pdf")).status).toBe(401);
    for (const role of ["recipient", "courier", "operator"] as const) {
      expect((await label(shipmentId, "?format=pdf", { cookie: (await signInAs(server, role)).cookie })).status).toBe(
        403,
      );
    }
    const otherAdmin = await signInAs(server, "carrier_admin");
    const other = await label(shipmentId, "?format=pdf", { cookie: otherAdmin.cookie });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("not_found");
    expect((await label(newId("shipment"), "?format=pdf", { cookie: admin.cookie })).status).toBe(404);

    const badFormat = await label(shipmentId, "?format=gif", { cookie: admin.cookie });
    expect(badFormat.status).toBe(400);
    const body = (await badFormat.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.message).toContain("format");
    expect((await label("shp_nope", "?format=pdf", { cookie: admin.cookie })).status).toBe(400);
  });
});
