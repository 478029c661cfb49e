import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ManualClock } from "@threshold/core";
import { type DeliveryProof, verifyProof } from "@threshold/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { createPostgresDatabase, TEST_DATABASES } from "../test/databases.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../test/home.js";
import { apiClient } from "../test/http.js";
import { until } from "../test/wait.js";
import { backupData, restoreData } from "./index.js";

const SEGMENT_MS = 2000;

describe.each(TEST_DATABASES)("backing up and restoring an installation on %s", (database) => {
  const clock = new ManualClock(Date.now());
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-backup-test-"));
  const backupDir = path.join(scratch, "backup");
  const restoredDir = path.join(scratch, "restored");
  let original: TestServer | undefined;
  let restored: TestServer | undefined;
  let home: TestHome | undefined;
  let dropRestoredDatabase: (() => Promise<void>) | undefined;
  let restoredDatabaseUrl: string | undefined;

  // What the original served, to compare with what the restored server serves.
  let shipmentId = "";
  let visitId = "";
  let cookie = "";
  let proofBefore: DeliveryProof;
  let segmentsBefore = new Map<string, Buffer>();

  async function record(ms: number): Promise<void> {
    for (let elapsed = 0; elapsed < ms; elapsed += SEGMENT_MS) {
      const uploaded = home?.camera.uploads.uploaded ?? 0;
      clock.advance(SEGMENT_MS);
      await until(() => (home?.camera.uploads.uploaded ?? 0) > uploaded, 5_000, "the next segment");
    }
  }

  async function clipSegments(url: string): Promise<Map<string, Buffer>> {
    const request = apiClient(url);
    const clip = (await request("GET", `/v1/visits/${visitId}/clip`, { cookie })).body as {
      state: string;
      segments: { id: string }[];
    };
    expect(clip.state).toBe("complete");
    const segments = new Map<string, Buffer>();
    for (const { id } of clip.segments) {
      const res = await fetch(`${url}/v1/visits/${visitId}/clip/segments/${id}.ts`, { headers: { cookie } });
      expect(res.status).toBe(200);
      segments.set(id, Buffer.from(await res.arrayBuffer()));
    }
    return segments;
  }

  beforeAll(async () => {
    original = await startTestServer({ database, clock });
    home = await createHome(original);
    await record(12_000); // the clip's pre-roll
    const shipment = await home.shipment();
    shipmentId = shipment.id;
    const visit = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber: shipment.trackingNumber, location: AT_THE_DOOR },
    });
    expect(visit.body.status).toBe("open");
    visitId = visit.body.id;
    await record(4_000);
    home.lock.openDoor();
    home.lock.closeDoor();
    const secured = await home.request("POST", `/v1/visits/${visitId}/secure`, { cookie: home.courier.cookie });
    expect(secured.body.status).toBe("secured");
    await record(16_000); // the 10 s post-roll, and time for it to arrive
    cookie = home.recipient.cookie;
    proofBefore = (await home.request("GET", `/v1/shipments/${shipmentId}/proof`, { cookie })).body as DeliveryProof;
    expect(verifyProof(proofBefore).ok).toBe(true);
    segmentsBefore = await clipSegments(original.url);
    expect(segmentsBefore.size).toBeGreaterThan(5);
  });

  afterAll(async () => {
    await home?.stop();
    await original?.destroy();
    await restored?.destroy();
    await dropRestoredDatabase?.();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("backs up the database, the keys and the media while the server runs", async () => {
    if (!original) throw new Error("no server");
    const manifest = await backupData(original.config, backupDir);
    expect(manifest).toMatchObject({ format: 1, database });
    expect(manifest.auditHead.seq).toBeGreaterThan(10);
    expect(manifest.keys).toBeGreaterThan(0);
    expect(manifest.media).toBeGreaterThanOrEqual(segmentsBefore.size);
    // The private keys stay private in the backup.
    expect(fs.statSync(backupDir).mode & 0o077).toBe(0);
    for (const file of fs.readdirSync(path.join(backupDir, "keys"))) {
      expect(fs.statSync(path.join(backupDir, "keys", file)).mode & 0o077).toBe(0);
    }
    await expect(backupData(original.config, backupDir)).rejects.toThrow(/is not empty/);
  });

  it("restores into a new data directory, where the chain verifies and the proof and clip are as they were", async () => {
    // The original is gone entirely: what follows comes from the backup alone.
    await home?.stop();
    await original?.destroy();
    if (database === "postgres") {
      const created = await createPostgresDatabase();
      restoredDatabaseUrl = created.url;
      dropRestoredDatabase = created.drop;
    }
    const config = loadConfig({
      DATA_DIR: restoredDir,
      PORT: "0",
      MQTT_PORT: "0",
      LOG_LEVEL: "silent",
      ...(restoredDatabaseUrl ? { DATABASE_URL: restoredDatabaseUrl } : {}),
    });
    const result = await restoreData(config, backupDir);
    expect(result.auditEvents).toBeGreaterThanOrEqual(result.manifest.auditHead.seq);
    await expect(restoreData(config, backupDir)).rejects.toThrow(/not empty|already a database/);

    restored = await startTestServer({ database, clock, reuse: { dataDir: restoredDir, config } });
    const verified = await restored.ctx.audit.verify();
    expect(verified).toMatchObject({ ok: true });
    expect(verified.checked).toBeGreaterThanOrEqual(result.manifest.auditHead.seq);

    // The recipient's session was in the database, so the same cookie works on the restored server.
    const request = apiClient(restored.url);
    const proofAfter = (await request("GET", `/v1/shipments/${shipmentId}/proof`, { cookie })).body as DeliveryProof;
    expect(proofAfter).toEqual(proofBefore);
    expect(verifyProof(proofAfter)).toMatchObject({ ok: true, problems: [] });
    const segmentsAfter = await clipSegments(restored.url);
    expect([...segmentsAfter.keys()]).toEqual([...segmentsBefore.keys()]);
    for (const [id, bytes] of segmentsBefore) expect(segmentsAfter.get(id)?.equals(bytes), id).toBe(true);

    // The restored server signs with the restored key: the one its public keys list as current.
    const keys = (await request("GET", "/v1/keys")).body as { keys: { kid: string; current?: boolean }[] };
    expect(JSON.stringify(keys)).toContain(proofBefore.commands[0]?.message.kid ?? "no kid");
  });
});
