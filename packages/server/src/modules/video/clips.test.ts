import { createHash } from "node:crypto";
import { ManualClock } from "@threshold/core";
import { FfmpegVideoSource } from "@threshold/devices";
import { type DeliveryProof, segmentChainHash, verifyProof } from "@threshold/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { until } from "../../test/wait.js";
import { MediaRetentionWorker } from "../../workers/media/retention-worker.js";

const SEGMENT_MS = 2000;

describe.each(TEST_DATABASES)("visit clips on %s", (database) => {
  // The server and the camera share this clock; video advances only when the test moves it.
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let home: TestHome;
  let visitId: string;
  let shipmentId: string;
  let openedAt: number;
  let securedAt: number;

  /** Moves the clock a segment at a time and waits for each new segment to be stored. */
  async function record(ms: number): Promise<void> {
    for (let elapsed = 0; elapsed < ms; elapsed += SEGMENT_MS) {
      const uploaded = home.camera.uploads.uploaded;
      clock.advance(SEGMENT_MS);
      await until(() => home.camera.uploads.uploaded > uploaded, 15_000, "the next segment");
    }
  }

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    home = await createHome(server);
    await record(12_000); // more than the 10 s pre-roll
    const shipment = await home.shipment();
    shipmentId = shipment.id;
    const visit = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber: shipment.trackingNumber, location: AT_THE_DOOR },
    });
    expect(visit.body.status).toBe("open");
    visitId = visit.body.id;
    await record(6_000); // the courier inside
    const secured = await home.request("POST", `/v1/visits/${visitId}/secure`, { cookie: home.courier.cookie });
    expect(secured.body.status).toBe("secured");
    const row = await server.ctx.db
      .selectFrom("visits")
      .selectAll()
      .where("id", "=", visitId)
      .executeTakeFirstOrThrow();
    openedAt = row.opened_at as number;
    securedAt = row.secured_at as number;
    await record(16_000); // the 10 s post-roll, and time for it to arrive
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const clipOf = (cookie?: string) =>
    home.request("GET", `/v1/visits/${visitId}/clip`, { cookie: cookie ?? home.recipient.cookie });

  it("holds the visit from the pre-roll to the post-roll, the unlock and the securing included", async () => {
    const clip = (await clipOf()).body;
    expect(clip).toMatchObject({ visitId, cameraId: home.camera.deviceId, state: "complete", gaps: [] });
    const authorizedAt = (
      await server.ctx.db
        .selectFrom("visits")
        .select("authorized_at")
        .where("id", "=", visitId)
        .executeTakeFirstOrThrow()
    ).authorized_at as number;
    expect(Date.parse(clip.from)).toBe(authorizedAt - 10_000);
    expect(Date.parse(clip.until)).toBe(securedAt + 10_000);
    const spans = (clip.segments as { startedAt: string; durationMs: number }[]).map((s) => ({
      from: Date.parse(s.startedAt),
      to: Date.parse(s.startedAt) + s.durationMs,
    }));
    const covers = (at: number) => spans.some((s) => s.from <= at && at <= s.to);
    expect(covers(openedAt)).toBe(true);
    expect(covers(securedAt)).toBe(true);
    expect(spans[0]?.from).toBeLessThanOrEqual(Date.parse(clip.from));
    expect(spans.at(-1)?.to).toBeGreaterThanOrEqual(Date.parse(clip.until));
    // Contiguous: each segment starts where the one before it ended.
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.from).toBe(spans[i - 1]?.to);
  });

  it("puts the clip's hashes in the proof, where they verify and catch an edited segment", async () => {
    const proof = (await home.request("GET", `/v1/shipments/${shipmentId}/proof`, { cookie: home.recipient.cookie }))
      .body as DeliveryProof;
    const clip = (await clipOf()).body;
    expect(proof.clip?.segments.map((s) => s.chainHash)).toEqual(
      clip.segments.map((s: { chainHash: string }) => s.chainHash),
    );
    const check = verifyProof(proof);
    expect(check).toMatchObject({ ok: true, problems: [], notes: [] });
    // The camera signed every segment, the post-roll after its signed chain head included.
    const last = proof.clip?.segments.at(-1);
    expect(check.clipSignedUntil).toBe((last?.startedAt ?? 0) + (last?.durationMs ?? 0));
    expect(check.clipSignedUntil).toBeGreaterThan(securedAt + SEGMENT_MS);

    const edited = structuredClone(proof);
    const victim = edited.clip?.segments[2];
    if (!victim) throw new Error("the clip is too short");
    victim.contentSha256 = "f".repeat(64);
    const editedCheck = verifyProof(edited);
    expect(editedCheck.ok).toBe(false);
    expect(editedCheck.problems).toContain(`clip segment ${victim.id}: chain hash does not match`);

    const cut = structuredClone(proof);
    cut.clip?.segments.splice(3, 1);
    expect(verifyProof(cut).problems.some((p) => p.includes("does not follow"))).toBe(true);
  });

  it("catches a whole clip forged with a consistent chain: the camera signed another head", async () => {
    const proof = (await home.request("GET", `/v1/shipments/${shipmentId}/proof`, { cookie: home.recipient.cookie }))
      .body as DeliveryProof;
    const forged = structuredClone(proof);
    const clip = forged.clip;
    if (!clip) throw new Error("no clip");
    // Other video, rehashed link by link from the clip's first segment: every link checks out.
    let prevHash = clip.segments[0]?.prevHash as string;
    for (const segment of clip.segments) {
      segment.contentSha256 = createHash("sha256").update(`other video ${segment.sequence}`).digest("hex");
      segment.prevHash = prevHash;
      segment.chainHash = segmentChainHash({ ...segment, deviceId: clip.cameraId });
      prevHash = segment.chainHash;
    }
    const check = verifyProof(forged);
    expect(check.problems.filter((p) => p.includes("chain hash does not match") || p.includes("follow"))).toEqual([]);
    expect(check.ok).toBe(false);
    expect(check.problems.some((p) => p.includes("differs from the chain head the camera signed"))).toBe(true);
    expect(check.clipSignedUntil).toBeNull();
  });

  it("catches a post-roll segment swapped for forged video with its chain recomputed: the camera did not sign it", async () => {
    const proof = (await home.request("GET", `/v1/shipments/${shipmentId}/proof`, { cookie: home.recipient.cookie }))
      .body as DeliveryProof;
    const clip = proof.clip;
    if (!clip) throw new Error("no clip");
    // The last segment is after the chain head the camera signed at the securing: before each
    // segment was signed, only the chain and the server vouched for it.
    const last = clip.segments.at(-1);
    if (!last) throw new Error("the clip is empty");
    expect(last.startedAt).toBeGreaterThan(securedAt);
    expect(last.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);

    const swap = (signature: string | undefined) => {
      const forged = structuredClone(proof);
      const victim = forged.clip?.segments.at(-1);
      if (!victim || !forged.clip) throw new Error("no clip");
      victim.contentSha256 = createHash("sha256").update("the courier walking out with the TV").digest("hex");
      victim.chainHash = segmentChainHash({ ...victim, deviceId: forged.clip.cameraId });
      if (signature === undefined) delete victim.signature;
      else victim.signature = signature;
      return { check: verifyProof(forged), victim };
    };
    const unsigned = swap(undefined);
    expect(unsigned.check.problems.filter((p) => p.includes("chain") || p.includes("follow"))).toEqual([]);
    expect(unsigned.check.ok).toBe(false);
    expect(unsigned.check.problems).toContain(`clip segment ${unsigned.victim.id}: not signed by the camera`);

    // The genuine segment's signature does not carry over to other video.
    const resigned = swap(last.signature ?? undefined);
    expect(resigned.check.ok).toBe(false);
    expect(resigned.check.problems).toContain(
      `clip segment ${resigned.victim.id}: the camera's signature does not verify`,
    );
  });

  it("catches a whole clip forged with a consistent chain when the camera's signed head is left out too", async () => {
    const proof = (await home.request("GET", `/v1/shipments/${shipmentId}/proof`, { cookie: home.recipient.cookie }))
      .body as DeliveryProof;
    const forged = structuredClone(proof);
    const clip = forged.clip;
    if (!clip) throw new Error("no clip");
    forged.deviceEvents = forged.deviceEvents.filter((e) => e.type !== "camera.recording_stopped");
    let prevHash = clip.segments[0]?.prevHash as string;
    for (const segment of clip.segments) {
      segment.contentSha256 = createHash("sha256").update(`other video ${segment.sequence}`).digest("hex");
      segment.prevHash = prevHash;
      segment.chainHash = segmentChainHash({ ...segment, deviceId: clip.cameraId });
      delete segment.signature;
      prevHash = segment.chainHash;
    }
    const check = verifyProof(forged);
    expect(check.ok).toBe(false);
    expect(check.problems).toContain("The clip has no video signed by the camera.");
    expect(check.problems).toHaveLength(clip.segments.length + 1);
    expect(check.clipSignedUntil).toBeNull();
  });

  it("serves the clip as a finished HLS playlist whose segments hash to the clip's hashes", async () => {
    const playlist = await fetch(`${server.url}/v1/visits/${visitId}/clip.m3u8`, {
      headers: { cookie: home.recipient.cookie },
    });
    expect(playlist.headers.get("content-type")).toContain("mpegurl");
    const text = await playlist.text();
    expect(text).toContain("#EXT-X-PLAYLIST-TYPE:VOD");
    expect(text.trimEnd().endsWith("#EXT-X-ENDLIST")).toBe(true);
    const uris = text.split("\n").filter((line) => line.startsWith("clip/segments/"));
    const clip = (await clipOf()).body;
    expect(uris).toHaveLength(clip.segments.length);
    for (const [i, uri] of uris.entries()) {
      const bytes = Buffer.from(
        await (
          await fetch(new URL(uri, `${server.url}/v1/visits/${visitId}/clip.m3u8`), {
            headers: { cookie: home.recipient.cookie },
          })
        ).arrayBuffer(),
      );
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(clip.segments[i].contentSha256);
    }
  });

  it("shows the clip to the site's owner and operators only", async () => {
    const operator = await signInAs(server, "operator");
    expect((await clipOf(operator.cookie)).status).toBe(200);
    const stranger = await signInAs(server, "recipient");
    for (const cookie of [home.courier.cookie, stranger.cookie]) {
      const res = await clipOf(cookie);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      const segment = (await clipOf()).body.segments[0].id;
      expect((await home.request("GET", `/v1/visits/${visitId}/clip/segments/${segment}.ts`, { cookie })).status).toBe(
        404,
      );
      expect((await home.request("GET", `/v1/visits/${visitId}/clip.m3u8`, { cookie })).status).toBe(404);
      expect((await home.request("GET", `/v1/visits/${visitId}/clip.mp4`, { cookie })).status).toBe(404);
    }
    expect((await home.request("GET", `/v1/visits/${visitId}/clip`)).status).toBe(401);
    expect((await home.request("GET", "/v1/visits/not-an-id/clip", { cookie: home.recipient.cookie })).status).toBe(
      400,
    );
  });

  it("serves only the clip's own segments under the clip", async () => {
    const newest = await server.ctx.db
      .selectFrom("video_segments")
      .select("id")
      .where("device_id", "=", home.camera.deviceId)
      .orderBy("position", "desc")
      .executeTakeFirstOrThrow();
    const clipIds = (await clipOf()).body.segments.map((s: { id: string }) => s.id);
    expect(clipIds).not.toContain(newest.id);
    const res = await home.request("GET", `/v1/visits/${visitId}/clip/segments/${newest.id}.ts`, {
      cookie: home.recipient.cookie,
    });
    expect(res.status).toBe(404);
  });

  it("has no clip for a refused visit", async () => {
    const shipment = await home.shipment();
    const refused = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber: shipment.trackingNumber, location: { lat: 0, lng: 0 } },
    });
    expect(refused.body.status).toBe("refused");
    const res = await home.request("GET", `/v1/visits/${refused.body.id}/clip`, { cookie: home.recipient.cookie });
    expect(res.status).toBe(404);
  });

  it("says plainly that synthetic test video cannot be made into an MP4", async () => {
    const res = await home.request("GET", `/v1/visits/${visitId}/clip.mp4`, { cookie: home.recipient.cookie });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("clip_unplayable");
  });

  it("says what to do when the server has no ffmpeg to make an MP4, and still serves the clip", async () => {
    const ffmpeg = server.ctx.config.media.ffmpegPath;
    server.ctx.config.media.ffmpegPath = null;
    try {
      const res = await home.request("GET", `/v1/visits/${visitId}/clip.mp4`, { cookie: home.recipient.cookie });
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: "unavailable", message: expect.stringContaining("FFMPEG_PATH") });
    } finally {
      server.ctx.config.media.ffmpegPath = ffmpeg;
    }
    expect((await clipOf()).status).toBe(200);
  });

  it("keeps the clip's segments past the live buffer's retention, and deletes the rest", async () => {
    const clipIds = new Set<string>((await clipOf()).body.segments.map((s: { id: string }) => s.id));
    const worker = new MediaRetentionWorker({
      db: server.ctx.db,
      store: (await import("../../media/index.js")).openMediaStore(server.config),
      clock,
      log: server.ctx.log,
      retention: server.config.media,
    });
    clock.advance(server.config.media.liveRetentionMs + 60_000);
    while ((await worker.deleteExpired()) > 0) {}
    const left = await server.ctx.db
      .selectFrom("video_segments")
      .select("id")
      .where("device_id", "=", home.camera.deviceId)
      .execute();
    const leftIds = new Set(left.map((r) => r.id));
    for (const id of clipIds) expect(leftIds.has(id)).toBe(true);
    // Besides the clip, only the camera's newest segment survives (the link its next upload extends).
    expect(left.length).toBe(clipIds.size + 1);
    expect((await clipOf()).body.state).toBe("complete");
  });
});

describe.each(TEST_DATABASES)("a real camera's clip on %s", (database) => {
  let server: TestServer;
  let home: TestHome;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server, {
      video: (deviceId) => new FfmpegVideoSource({ deviceId, cameraName: "Porch camera", log: () => {} }),
    });
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  it("downloads as one MP4 remuxed from the camera's H.264", async () => {
    const shipment = await home.shipment();
    const visit = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber: shipment.trackingNumber, location: AT_THE_DOOR },
    });
    expect(visit.body.status).toBe("open");
    const clip = () => home.request("GET", `/v1/visits/${visit.body.id}/clip`, { cookie: home.recipient.cookie });
    await until(async () => (await clip()).body.segments.length >= 2, 15_000, "two segments in the clip");
    const res = await fetch(`${server.url}/v1/visits/${visit.body.id}/clip.mp4`, {
      headers: { cookie: home.recipient.cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("content-disposition")).toContain(`threshold-${visit.body.id}.mp4`);
    const mp4 = Buffer.from(await res.arrayBuffer());
    expect(mp4.subarray(4, 8).toString("latin1")).toBe("ftyp");
    expect(mp4.includes(Buffer.from("moof"))).toBe(true);
    expect(mp4.includes(Buffer.from("avc1"))).toBe(true);
    await home.request("POST", `/v1/visits/${visit.body.id}/secure`, { cookie: home.courier.cookie });
  }, 40_000);
});
