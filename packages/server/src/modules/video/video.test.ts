import { type KeyObject, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ManualClock, newId } from "@threshold/core";
import { NoVideoSource, syntheticMpegTs } from "@threshold/devices";
import {
  contentSha256,
  GENESIS_SEGMENT_HASH,
  importPrivateKeyPem,
  segmentChainHash,
  signSegment,
} from "@threshold/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openMediaStore } from "../../media/index.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { insertTestDevice } from "../../test/devices.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createHome, type TestHome } from "../../test/home.js";
import { MediaRetentionWorker } from "../../workers/media/retention-worker.js";
import { retireDevice } from "../devices/repository.js";

const MAX_SEGMENT_BYTES = 64 * 1024;
const SLACK_MS = 1000;

interface Camera {
  id: string;
  password: string;
  /** The camera's device key: it signs each segment it uploads. */
  signingKey: KeyObject;
}

interface Segment {
  sequence: number;
  startedAt: number;
  durationMs: number;
  prevHash: string;
  chainHash: string;
  contentSha256: string;
  bytes: Buffer;
}

/** Segment bytes as a camera would send them: MPEG-TS (a PAT, a PMT, packets carrying `seed`), about `size` bytes. */
function segmentBytes(seed: string, size = 188 * 8): Buffer {
  return Buffer.from(syntheticMpegTs(new TextEncoder().encode(seed), Math.ceil(size / 188)));
}

/** The next link of a chain, built with the protocol's own functions. */
function nextSegment(
  deviceId: string,
  previous: Segment | null,
  options: { startedAt?: number; bytes?: Buffer; durationMs?: number } = {},
): Segment {
  const durationMs = options.durationMs ?? 2000;
  const sequence = previous ? previous.sequence + 1 : 0;
  const startedAt = options.startedAt ?? (previous ? previous.startedAt + previous.durationMs : 0);
  const bytes = options.bytes ?? segmentBytes(`${deviceId}:${sequence}:${startedAt}`);
  const fields = {
    prevHash: previous ? previous.chainHash : GENESIS_SEGMENT_HASH,
    deviceId,
    sequence,
    startedAt,
    durationMs,
    contentSha256: contentSha256(bytes),
  };
  return { ...fields, chainHash: segmentChainHash(fields), bytes };
}

function stream(deviceId: string, startedAt: number, count: number): Segment[] {
  const segments: Segment[] = [];
  for (let i = 0; i < count; i++) {
    segments.push(nextSegment(deviceId, segments[i - 1] ?? null, i === 0 ? { startedAt } : {}));
  }
  return segments;
}

describe.each(TEST_DATABASES)("camera video on %s", (database) => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let home: TestHome;
  let camera: Camera;

  beforeAll(async () => {
    server = await startTestServer({ database, clock, env: { MEDIA_MAX_SEGMENT_BYTES: String(MAX_SEGMENT_BYTES) } });
    // The camera agent sends no video of its own: these tests upload as the camera, byte by byte.
    home = await createHome(server, { video: () => new NoVideoSource(), withoutVideo: true });
    // The paired camera agent's MQTT password is its device secret: the credentials of its uploads too.
    camera = {
      id: home.camera.identity.deviceId,
      password: home.camera.identity.mqtt.password,
      signingKey: importPrivateKeyPem(home.camera.identity.privateKeyPem).privateKey,
    };
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  function upload(
    as: Camera | null,
    segment: Segment,
    options: {
      path?: string;
      headers?: Record<string, string>;
      body?: Buffer;
      visitId?: string;
      unsigned?: boolean;
    } = {},
  ) {
    const deviceId = as?.id ?? camera.id;
    const headers: Record<string, string> = {
      "content-type": "video/mp2t",
      "x-threshold-started-at": String(segment.startedAt),
      "x-threshold-duration-ms": String(segment.durationMs),
      "x-threshold-content-sha256": segment.contentSha256,
      "x-threshold-prev-hash": segment.prevHash,
      "x-threshold-chain-hash": segment.chainHash,
      ...(as && !options.unsigned
        ? { "x-threshold-segment-signature": signSegment({ deviceId, chainHash: segment.chainHash }, as.signingKey) }
        : {}),
      ...(options.visitId ? { "x-threshold-visit-id": options.visitId } : {}),
      ...(as ? { authorization: `Basic ${Buffer.from(`${as.id}:${as.password}`).toString("base64")}` } : {}),
      ...options.headers,
    };
    return fetch(`${server.url}${options.path ?? `/v1/cameras/${deviceId}/segments/${segment.sequence}`}`, {
      method: "PUT",
      headers,
      body: options.body ?? segment.bytes,
    });
  }

  async function uploadOk(as: Camera, segment: Segment, visitId?: string) {
    const res = await upload(as, segment, visitId ? { visitId } : {});
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body as { id: string; chainHash: string };
  }

  async function errorCode(res: Response): Promise<string | undefined> {
    return ((await res.json()) as { error?: { code?: string } }).error?.code;
  }

  async function expectRefused(res: Response, status: number, code: string) {
    expect({ status: res.status, code: await errorCode(res) }).toEqual({ status, code });
  }

  /** What is stored for a camera: rows, and files in the media store (and no half-written ones). */
  async function stored(deviceId: string) {
    const rows = await server.ctx.db
      .selectFrom("video_segments")
      .select(["id", "sequence", "media_key"])
      .where("device_id", "=", deviceId)
      .orderBy("position")
      .execute();
    const dir = path.join(server.config.media.dir, deviceId);
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    const incoming = path.join(server.config.media.dir, ".incoming");
    const partial = fs.existsSync(incoming) ? fs.readdirSync(incoming) : [];
    return { rows, files, partial };
  }

  async function newCamera(kind: "camera" | "lock" = "camera"): Promise<Camera> {
    const device = await insertTestDevice(server, home.recipient.id, kind);
    return { id: device.id, password: device.password, signingKey: device.keys.privateKey };
  }

  it("accepts a good chain of three and lists it in the live playlist, in order, with capture times", async () => {
    const segments = stream(camera.id, clock.now() - 6000, 3);
    const ids: string[] = [];
    for (const segment of segments) {
      const body = await uploadOk(camera, segment);
      expect(body.chainHash).toBe(segment.chainHash);
      ids.push(body.id);
    }
    const state = await stored(camera.id);
    expect(state.rows.map((r) => r.sequence)).toEqual([0, 1, 2]);
    expect(state.files).toEqual(ids.map((id) => `${id}.ts`).sort());

    const res = await home.request("GET", `/v1/cameras/${camera.id}/live.m3u8`, { cookie: home.recipient.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/vnd\.apple\.mpegurl/);
    const lines = String(res.body).trim().split("\n");
    expect(lines.slice(0, 5)).toEqual([
      "#EXTM3U",
      "#EXT-X-VERSION:3",
      "#EXT-X-TARGETDURATION:2",
      "#EXT-X-MEDIA-SEQUENCE:0",
      "#EXT-X-DISCONTINUITY-SEQUENCE:0",
    ]);
    expect(lines.filter((l) => l.startsWith("segments/"))).toEqual(ids.map((id) => `segments/${id}.ts`));
    expect(lines.filter((l) => l.startsWith("#EXTINF"))).toEqual([
      "#EXTINF:2.000,",
      "#EXTINF:2.000,",
      "#EXTINF:2.000,",
    ]);
    expect(lines.filter((l) => l.startsWith("#EXT-X-PROGRAM-DATE-TIME"))).toEqual(
      segments.map((s) => `#EXT-X-PROGRAM-DATE-TIME:${new Date(s.startedAt).toISOString()}`),
    );
    expect(lines).not.toContain("#EXT-X-ENDLIST");

    // The playlist's relative URI resolves to the segment, byte for byte.
    const segmentUrl = new URL(`segments/${ids[1]}.ts`, `${server.url}/v1/cameras/${camera.id}/live.m3u8`);
    const media = await fetch(segmentUrl, { headers: { cookie: home.recipient.cookie } });
    expect(media.status).toBe(200);
    expect(media.headers.get("content-type")).toBe("video/mp2t");
    expect(media.headers.get("cache-control")).toMatch(/^private/);
    expect(Buffer.from(await media.arrayBuffer())).toEqual(segments[1]?.bytes);
  });

  it("slides the window over the newest five and marks a new stream as a discontinuity", async () => {
    const cam = await newCamera();
    const first = stream(cam.id, clock.now() - 20_000, 4);
    for (const segment of first) await uploadOk(cam, segment);
    const second = stream(cam.id, clock.now() - 8000, 3);
    for (const segment of second) await uploadOk(cam, segment);
    const res = await home.request("GET", `/v1/cameras/${cam.id}/live.m3u8`, { cookie: home.recipient.cookie });
    const lines = String(res.body).trim().split("\n");
    expect(lines).toContain("#EXT-X-MEDIA-SEQUENCE:2");
    expect(lines).toContain("#EXT-X-DISCONTINUITY-SEQUENCE:0");
    expect(lines.filter((l) => l.startsWith("segments/"))).toHaveLength(5);
    // Two segments of the first stream, then the break, then the new stream.
    const tags = lines.filter((l) => l === "#EXT-X-DISCONTINUITY" || l.startsWith("segments/"));
    expect(tags.indexOf("#EXT-X-DISCONTINUITY")).toBe(2);
  });

  describe("refuses, and stores nothing, when", () => {
    it("the credentials are missing or wrong", async () => {
      const cam = await newCamera();
      const [segment] = stream(cam.id, clock.now() - 2000, 1) as [Segment];
      const anonymous = await upload(null, segment, { path: `/v1/cameras/${cam.id}/segments/0` });
      expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic/);
      await expectRefused(anonymous, 401, "unauthenticated");
      await expectRefused(await upload({ ...cam, password: "not-the-secret" }, segment), 401, "unauthenticated");
      await expectRefused(
        await upload(cam, segment, { headers: { authorization: `Bearer ${cam.password}` } }),
        401,
        "unauthenticated",
      );
      expect(await stored(cam.id)).toEqual({ rows: [], files: [], partial: [] });
    });

    it("another camera's credentials are used", async () => {
      const victim = await newCamera();
      const intruder = await newCamera();
      // Even a segment correctly chained for the victim's id is refused: the credentials decide.
      const [segment] = stream(victim.id, clock.now() - 2000, 1) as [Segment];
      await expectRefused(
        await upload(intruder, segment, { path: `/v1/cameras/${victim.id}/segments/0` }),
        403,
        "device_mismatch",
      );
      // The same answer for a camera that does not exist: the refusal leaks nothing.
      await expectRefused(
        await upload(intruder, segment, { path: `/v1/cameras/${newId("device")}/segments/0` }),
        403,
        "device_mismatch",
      );
      expect(await stored(victim.id)).toEqual({ rows: [], files: [], partial: [] });
    });

    it("the device is not a camera", async () => {
      const lock = await newCamera("lock");
      const [segment] = stream(lock.id, clock.now() - 2000, 1) as [Segment];
      await expectRefused(await upload(lock, segment), 422, "device_kind_mismatch");
      expect(await stored(lock.id)).toEqual({ rows: [], files: [], partial: [] });
    });

    it("the device was removed", async () => {
      const cam = await newCamera();
      const [first, second] = stream(cam.id, clock.now() - 4000, 2) as [Segment, Segment];
      await uploadOk(cam, first);
      const removed = await home.request("DELETE", `/v1/devices/${cam.id}`, { cookie: home.recipient.cookie });
      expect(removed.status).toBe(204);
      await expectRefused(await upload(cam, second), 401, "unauthenticated");
      expect((await stored(cam.id)).rows).toHaveLength(1);
    });

    it("the segment is larger than the limit", async () => {
      const cam = await newCamera();
      const [segment] = stream(cam.id, clock.now() - 2000, 1) as [Segment];
      const big = nextSegment(cam.id, null, {
        startedAt: segment.startedAt,
        bytes: segmentBytes("big", MAX_SEGMENT_BYTES + 1),
      });
      await expectRefused(await upload(cam, big), 413, "segment_too_large");
      expect(await stored(cam.id)).toEqual({ rows: [], files: [], partial: [] });
    });

    it("the body is not MPEG-TS, or its hash or chain hash is wrong", async () => {
      const cam = await newCamera();
      const [segment] = stream(cam.id, clock.now() - 2000, 1) as [Segment];
      await expectRefused(
        await upload(cam, segment, { headers: { "content-type": "application/json" } }),
        415,
        "unsupported_media_type",
      );
      const damaged = Buffer.from(segment.bytes);
      damaged[100] = (damaged[100] as number) ^ 0xff;
      await expectRefused(await upload(cam, segment, { body: damaged }), 422, "segment_hash_mismatch");
      // A chain hash made for another camera (the replay-across-cameras case) does not recompute.
      const foreign = nextSegment(newId("device"), null, { startedAt: segment.startedAt, bytes: segment.bytes });
      await expectRefused(
        await upload(cam, segment, { headers: { "x-threshold-chain-hash": foreign.chainHash } }),
        422,
        "segment_chain_invalid",
      );
      // Metadata changed after hashing: the duration is covered by the chain hash.
      await expectRefused(
        await upload(cam, segment, { headers: { "x-threshold-duration-ms": "4000" } }),
        422,
        "segment_chain_invalid",
      );
      await expectRefused(
        await upload(cam, segment, { headers: { "x-threshold-started-at": "1e12" } }),
        400,
        "invalid_request",
      );
      expect(await stored(cam.id)).toEqual({ rows: [], files: [], partial: [] });
    });

    it("the body is not MPEG-TS, though chained and signed by the camera", async () => {
      const cam = await newCamera();
      const startedAt = clock.now() - 2000;
      const ts = segmentBytes("video", 188 * 4);
      const withoutSync = Buffer.from(ts);
      withoutSync[188 * 3] = 0x00;
      // Valid packets, but none on PID 0: no Program Association Table, nothing a player can join.
      const withoutPat = Buffer.from(ts);
      withoutPat[1] = 0x1f;
      withoutPat[2] = 0xff;
      const bodies = {
        "random bytes": randomBytes(188 * 4),
        "a partial packet": Buffer.concat([ts, Buffer.from([0x47])]),
        "a packet without the sync byte": withoutSync,
        "no PAT": withoutPat,
      };
      for (const [what, bytes] of Object.entries(bodies)) {
        const res = await upload(cam, nextSegment(cam.id, null, { startedAt, bytes }));
        expect({ what, status: res.status, code: await errorCode(res) }).toEqual({
          what,
          status: 422,
          code: "segment_not_media",
        });
      }
      expect(await stored(cam.id)).toEqual({ rows: [], files: [], partial: [] });
      await uploadOk(cam, nextSegment(cam.id, null, { startedAt, bytes: ts }));
    });

    it("the camera's signature is missing, made up, another key's or another segment's", async () => {
      const cam = await newCamera();
      const other = await newCamera();
      const [s0, s1] = stream(cam.id, clock.now() - 4000, 2) as [Segment, Segment];
      const signatures = {
        missing: undefined,
        empty: "",
        "made up": randomBytes(64).toString("base64url"),
        "not base64url": "!".repeat(86),
        "by another camera's key": signSegment({ deviceId: cam.id, chainHash: s0.chainHash }, other.signingKey),
        "of the next segment": signSegment({ deviceId: cam.id, chainHash: s1.chainHash }, cam.signingKey),
        "for another camera id": signSegment({ deviceId: other.id, chainHash: s0.chainHash }, cam.signingKey),
      };
      for (const [what, signature] of Object.entries(signatures)) {
        const res = await upload(
          cam,
          s0,
          signature === undefined ? { unsigned: true } : { headers: { "x-threshold-segment-signature": signature } },
        );
        expect({ what, status: res.status, code: await errorCode(res) }).toEqual({
          what,
          status: 422,
          code: "segment_signature_invalid",
        });
      }
      expect(await stored(cam.id)).toEqual({ rows: [], files: [], partial: [] });
      await uploadOk(cam, s0);
      const [row] = await server.ctx.db
        .selectFrom("video_segments")
        .select("signature")
        .where("device_id", "=", cam.id)
        .execute();
      expect(row?.signature).toBe(signSegment({ deviceId: cam.id, chainHash: s0.chainHash }, cam.signingKey));
    });

    it("a segment is missing before it (a gap)", async () => {
      const cam = await newCamera();
      const [s0, , s2] = stream(cam.id, clock.now() - 6000, 3) as [Segment, Segment, Segment];
      await expectRefused(await upload(cam, s2), 409, "segment_gap");
      await uploadOk(cam, s0);
      await expectRefused(await upload(cam, s2), 409, "segment_gap");
      expect((await stored(cam.id)).rows.map((r) => r.sequence)).toEqual([0]);
      expect((await stored(cam.id)).files).toHaveLength(1);
    });

    it("a segment is sent again, or an old stream is passed off as new", async () => {
      const cam = await newCamera();
      const segments = stream(cam.id, clock.now() - 6000, 3) as [Segment, Segment, Segment];
      for (const segment of segments) await uploadOk(cam, segment);
      await expectRefused(await upload(cam, segments[1]), 409, "segment_replayed");
      await expectRefused(await upload(cam, segments[2]), 409, "segment_replayed");
      // The whole stream again from its start: a new stream must start after the newest segment.
      await expectRefused(await upload(cam, segments[0]), 409, "segment_replayed");
      const older = nextSegment(cam.id, null, { startedAt: segments[2].startedAt });
      await expectRefused(await upload(cam, older), 409, "segment_replayed");
      const state = await stored(cam.id);
      expect(state.rows.map((r) => r.sequence)).toEqual([0, 1, 2]);
      expect(state.files).toHaveLength(3);
      // A genuinely new stream is accepted.
      await uploadOk(cam, nextSegment(cam.id, null, { startedAt: segments[2].startedAt + 2000 }));
    });

    it("the segment starts in the future by the server's clock", async () => {
      const cam = await newCamera();
      const future = nextSegment(cam.id, null, { startedAt: clock.now() + 60_000 });
      await expectRefused(await upload(cam, future), 422, "segment_clock_skew");
      expect(await stored(cam.id)).toEqual({ rows: [], files: [], partial: [] });
    });

    it("it claims a visit its camera does not witness", async () => {
      const cam = await newCamera();
      const [segment] = stream(cam.id, clock.now() - 2000, 1) as [Segment];
      await expectRefused(await upload(cam, segment, { visitId: newId("visit") }), 422, "segment_visit_invalid");
      await expectRefused(
        await upload(cam, segment, { visitId: await insertVisit(camera.id) }),
        422,
        "segment_visit_invalid",
      );
      expect(await stored(cam.id)).toEqual({ rows: [], files: [], partial: [] });
    });
  });

  it("keeps exactly one of two concurrent uploads of the same link", async () => {
    const cam = await newCamera();
    const [s0] = stream(cam.id, clock.now() - 4000, 1) as [Segment];
    await uploadOk(cam, s0);
    const rivals = [1, 2, 3, 4].map((n) => nextSegment(cam.id, s0, { bytes: segmentBytes(`rival ${n}`) }));
    const answers = await Promise.all(rivals.map((s) => upload(cam, s)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
    for (const answer of answers.filter((a) => a.status === 409)) {
      expect(await errorCode(answer)).toBe("segment_replayed");
    }
    const state = await stored(cam.id);
    expect(state.rows.map((r) => r.sequence)).toEqual([0, 1]);
    expect(state.files).toEqual(state.rows.map((r) => path.basename(r.media_key)).sort());
    expect(state.partial).toEqual([]);
  });

  it("says live only while the newest segment is fresh by the server's clock, then stale with the last frame", async () => {
    const cam = await newCamera();
    const freshness = async () =>
      (await home.request("GET", `/v1/cameras/${cam.id}/freshness`, { cookie: home.recipient.cookie })).body;
    expect(await freshness()).toEqual({ freshness: "stale", lastSegmentAt: null, lastFrameAt: null });

    const segment = nextSegment(cam.id, null, { startedAt: clock.now() - 2500 });
    await uploadOk(cam, segment);
    const receivedAt = clock.now();
    const live = {
      freshness: "live",
      lastSegmentAt: new Date(receivedAt).toISOString(),
      lastFrameAt: new Date(segment.startedAt + 2000).toISOString(),
    };
    expect(await freshness()).toEqual(live);
    clock.advance(2 * 2000 + SLACK_MS);
    expect(await freshness()).toEqual(live);
    clock.advance(1);
    expect(await freshness()).toEqual({ ...live, freshness: "stale" });
  });

  it("never counts a segment stored before cameras signed their video as live, nor lists it", async () => {
    const cam = await newCamera();
    const segment = nextSegment(cam.id, null, { startedAt: clock.now() - 2000 });
    // A row as the server stored it before the signature column existed (the migration leaves it null).
    await server.ctx.db
      .insertInto("video_segments")
      .values({
        id: newId("videoSegment", clock.now()),
        device_id: cam.id,
        position: 0,
        stream_number: 0,
        sequence: 0,
        started_at: segment.startedAt,
        duration_ms: segment.durationMs,
        content_sha256: segment.contentSha256,
        prev_hash: segment.prevHash,
        chain_hash: segment.chainHash,
        visit_id: null,
        media_key: `${cam.id}/unsigned.ts`,
        size_bytes: segment.bytes.length,
        received_at: clock.now(),
        signature: null,
      })
      .execute();
    const freshness = await home.request("GET", `/v1/cameras/${cam.id}/freshness`, { cookie: home.recipient.cookie });
    expect(freshness.body).toMatchObject({ freshness: "stale", lastFrameAt: new Date(clock.now()).toISOString() });
    const playlist = await home.request("GET", `/v1/cameras/${cam.id}/live.m3u8`, { cookie: home.recipient.cookie });
    expect(String(playlist.body)).not.toContain("segments/");

    // The camera's next, signed segment links to it and is live.
    await uploadOk(cam, nextSegment(cam.id, segment));
    const after = await home.request("GET", `/v1/cameras/${cam.id}/freshness`, { cookie: home.recipient.cookie });
    expect(after.body.freshness).toBe("live");
  });

  it("shows video to the site's owner and operators only", async () => {
    const [segment] = (await stored(camera.id)).rows;
    const paths = [
      `/v1/cameras/${camera.id}/live.m3u8`,
      `/v1/cameras/${camera.id}/freshness`,
      `/v1/cameras/${camera.id}/segments/${segment?.id}.ts`,
    ];
    const operator = await signInAs(server, "operator");
    const stranger = await signInAs(server, "recipient");
    for (const p of paths) {
      expect((await home.request("GET", p, { cookie: home.recipient.cookie })).status, p).toBe(200);
      expect((await home.request("GET", p, { cookie: operator.cookie })).status, p).toBe(200);
      expect((await home.request("GET", p, { cookie: stranger.cookie })).status, p).toBe(404);
      expect((await home.request("GET", p, { cookie: home.courier.cookie })).status, p).toBe(404);
      expect((await home.request("GET", p)).status, p).toBe(401);
    }
    // A device that is not a camera has no video, and a segment id of another camera is not found.
    const lockId = home.lock.identity.deviceId;
    expect(
      (await home.request("GET", `/v1/cameras/${lockId}/live.m3u8`, { cookie: home.recipient.cookie })).status,
    ).toBe(404);
    const other = await newCamera();
    expect(
      (
        await home.request("GET", `/v1/cameras/${other.id}/segments/${segment?.id}.ts`, {
          cookie: home.recipient.cookie,
        })
      ).status,
    ).toBe(404);
  });

  it("deletes expired live segments, keeps a visit's clip for its own retention and the newest link", async () => {
    const cam = await newCamera();
    const visitId = await insertVisit(cam.id);
    const store = openMediaStore(server.config);
    const worker = new MediaRetentionWorker({
      db: server.ctx.db,
      store,
      clock,
      log: server.ctx.log,
      retention: server.config.media,
      batchSize: 2,
    });
    // The server's own worker runs too, and other tests' cameras have segments: look at this
    // camera's state, and let each pass delete at most one batch.
    const drain = async () => {
      for (let deleted = await worker.deleteExpired(); deleted > 0; deleted = await worker.deleteExpired()) {
        expect(deleted).toBeLessThanOrEqual(2);
      }
    };
    clock.advance(server.config.media.clipRetentionMs + 1);
    await drain();
    const [s0, s1, s2] = stream(cam.id, clock.now() - 6000, 3) as [Segment, Segment, Segment];
    // The visit's clip window holds s0 alone: the server links it as it arrives.
    await server.ctx.db
      .updateTable("visits")
      .set({ clip_from: s0.startedAt, clip_until: s0.startedAt + s0.durationMs })
      .where("id", "=", visitId)
      .execute();
    const clip = await uploadOk(cam, s0, visitId);
    const live1 = await uploadOk(cam, s1);
    const live2 = await uploadOk(cam, s2);
    clock.advance(server.config.media.liveRetentionMs - 1);
    await drain();
    expect((await stored(cam.id)).rows).toHaveLength(3);

    clock.advance(2);
    const newest = await uploadOk(cam, nextSegment(cam.id, s2, { startedAt: clock.now() - 2000 }));
    await drain();
    let state = await stored(cam.id);
    expect(state.rows.map((r) => r.id)).toEqual([clip.id, newest.id]);
    expect(state.files).toEqual([`${clip.id}.ts`, `${newest.id}.ts`].sort());
    expect(await store.get(`${cam.id}/${live1.id}.ts`)).toBeNull();
    expect(await store.get(`${cam.id}/${live2.id}.ts`)).toBeNull();

    clock.advance(server.config.media.clipRetentionMs);
    await drain();
    state = await stored(cam.id);
    // The newest segment outlives its expiry while the camera exists: its next upload links to it.
    expect(state.rows.map((r) => r.id)).toEqual([newest.id]);
    expect(state.files).toEqual([`${newest.id}.ts`]);

    // Removed (as DELETE /v1/devices/{id} does; the recipient's session expired a month ago):
    // a removed camera uploads no more, so nothing of it needs keeping.
    expect(await retireDevice(server.ctx.db, cam.id, clock.now(), "0".repeat(64))).toBe(true);
    await drain();
    expect(await stored(cam.id)).toEqual({ rows: [], files: [], partial: [] });
  });

  /** A visit witnessed by `cameraId` at the home's site, stored directly (the visit flow has its own tests). */
  async function insertVisit(cameraId: string): Promise<string> {
    const shipment = await home.shipment();
    const id = newId("visit", clock.now());
    await server.ctx.db
      .insertInto("visits")
      .values({
        id,
        shipment_id: shipment.id,
        site_id: home.siteId,
        access_point_id: home.accessPointId,
        courier_id: home.courier.id,
        carrier_id: home.carrierId,
        status: "secured",
        refusals: null,
        reason: null,
        courier_lat: null,
        courier_lng: null,
        requested_at: clock.now(),
        authorized_at: null,
        opened_at: null,
        securing_at: null,
        secured_at: null,
        ended_at: null,
        deadline_at: null,
        camera_device_id: cameraId,
        lock_device_id: null,
        updated_at: clock.now(),
      })
      .execute();
    return id;
  }
});
