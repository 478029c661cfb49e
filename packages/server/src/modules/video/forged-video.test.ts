import { randomBytes } from "node:crypto";
import { ManualClock } from "@threshold/core";
import { syntheticMpegTs } from "@threshold/devices";
import {
  contentSha256,
  GENESIS_SEGMENT_HASH,
  generateEd25519,
  segmentChainHash,
  signSegment,
} from "@threshold/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { newestFreshness } from "./service.js";

/** Two 2 s segment durations plus the default 1 s of upload slack: older video is stale. */
const STALE_AFTER_MS = 5_000;

/**
 * Hostile review, issue 15 item 1: someone who saw a camera's upload password on the wire (it is
 * also its MQTT password) freezes the camera and sends video of their own, with chain headers they
 * computed themselves. Only video the camera's own Ed25519 key vouches for may make it look live.
 */
describe.each(TEST_DATABASES)("video forged with a camera's password on %s", (database) => {
  let clock: ManualClock;
  let server: TestServer;
  let home: TestHome;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    server = await startTestServer({ database, clock });
    home = await createHome(server);
  });
  afterEach(async () => {
    await home?.stop();
    await server?.destroy();
  });

  /** A new stream's first segment as the attacker builds it: every header right, but for the signature. */
  function forgedUpload(bytes: Uint8Array, startedAt: number, signature: string | undefined) {
    const deviceId = home.camera.deviceId;
    const fields = {
      prevHash: GENESIS_SEGMENT_HASH,
      deviceId,
      sequence: 0,
      startedAt,
      durationMs: 2000,
      contentSha256: contentSha256(bytes),
    };
    const password = home.camera.identity.mqtt.password;
    return fetch(`${server.url}/v1/cameras/${deviceId}/segments/0`, {
      method: "PUT",
      headers: {
        authorization: `Basic ${Buffer.from(`${deviceId}:${password}`).toString("base64")}`,
        "content-type": "video/mp2t",
        "x-threshold-started-at": String(startedAt),
        "x-threshold-duration-ms": "2000",
        "x-threshold-content-sha256": fields.contentSha256,
        "x-threshold-prev-hash": fields.prevHash,
        "x-threshold-chain-hash": segmentChainHash(fields),
        ...(signature === undefined ? {} : { "x-threshold-segment-signature": signature }),
      },
      body: bytes,
    });
  }

  const storedSegments = async () =>
    (
      await server.ctx.db
        .selectFrom("video_segments")
        .select("id")
        .where("device_id", "=", home.camera.deviceId)
        .execute()
    ).length;

  it("refuses every segment the camera did not sign: the camera stays stale and the door stays shut", async () => {
    const { trackingNumber } = await home.shipment();
    home.camera.freeze();
    clock.advance(STALE_AFTER_MS + 1);
    expect((await newestFreshness(server.ctx, home.camera.deviceId)).freshness).toBe("stale");
    const before = await storedSegments();

    const ts = syntheticMpegTs(new TextEncoder().encode("the attacker's empty hallway"), 8);
    const attackerKey = generateEd25519().privateKey;
    const attempts: { what: string; bytes: Uint8Array; sign: (chainHash: string) => string | undefined }[] = [
      { what: "random bytes, unsigned", bytes: randomBytes(188 * 8), sign: () => undefined },
      { what: "MPEG-TS, unsigned", bytes: ts, sign: () => undefined },
      { what: "MPEG-TS, a made-up signature", bytes: ts, sign: () => randomBytes(64).toString("base64url") },
      {
        what: "MPEG-TS, signed by another key",
        bytes: ts,
        sign: (chainHash) => signSegment({ deviceId: home.camera.deviceId, chainHash }, attackerKey),
      },
    ];
    const answers: Record<string, { status: number; code: string | undefined }> = {};
    for (const [index, attempt] of attempts.entries()) {
      // Each a new stream after the camera's newest segment, as the server would accept from the camera.
      const startedAt = clock.now() - 2000 + index;
      const chainHash = segmentChainHash({
        prevHash: GENESIS_SEGMENT_HASH,
        deviceId: home.camera.deviceId,
        sequence: 0,
        startedAt,
        durationMs: 2000,
        contentSha256: contentSha256(attempt.bytes),
      });
      const res = await forgedUpload(attempt.bytes, startedAt, attempt.sign(chainHash));
      const body = (await res.json()) as { error?: { code?: string } };
      answers[attempt.what] = { status: res.status, code: body.error?.code };
    }
    expect(answers).toEqual({
      "random bytes, unsigned": { status: 422, code: "segment_not_media" },
      "MPEG-TS, unsigned": { status: 422, code: "segment_signature_invalid" },
      "MPEG-TS, a made-up signature": { status: 422, code: "segment_signature_invalid" },
      "MPEG-TS, signed by another key": { status: 422, code: "segment_signature_invalid" },
    });

    expect(await storedSegments()).toBe(before);
    expect((await newestFreshness(server.ctx, home.camera.deviceId)).freshness).toBe("stale");
    const scan = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });
    expect(scan.body).toMatchObject({ status: "refused", refusals: [{ code: "camera_not_live" }] });
    expect(home.lock.state.lock).toBe("locked");
  });
});
