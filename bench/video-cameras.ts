/**
 * Child process of the video benchmark: the cameras. Each is a camera's real upload path — a
 * SegmentUploader (@threshold/devices) with the camera's device credentials, chained segments from
 * a SegmentChainer, segments signed with the camera's key — sending segments of about
 * `segmentBytes` (MPEG-TS packets of random payload) to the server under test.
 *
 *   ingest: closed loop, every camera uploads its next segment as soon as the last one is stored.
 *   live:   every camera finishes a segment every 2 s (staggered across the cameras, as real ones
 *           are) and uploads it at once; then asks the live playlist, as a viewer's player would,
 *           until the segment is listed. Live lag = listed − the segment's capture end.
 *
 * Running apart from the server keeps the client's hashing and HTTP off the server's core.
 */
import { type KeyObject, randomBytes } from "node:crypto";
import {
  MPEG_TS_PAYLOAD_BYTES,
  mpegTsPacketsFor,
  SegmentChainer,
  SegmentUploader,
  syntheticMpegTs,
  type VideoSegment,
} from "@threshold/devices";
import { importPrivateKeyPem, MPEG_TS_PACKET_BYTES } from "@threshold/protocol";
import { CpuMeter, type VideoCameraCommand, type VideoCameraReport, type VideoPhaseResult } from "./lib.js";

const send = (report: VideoCameraReport) => process.send?.(report);
process.on("disconnect", () => process.exit(0));
process.on("SIGINT", () => {});
process.on("SIGTERM", () => process.exit(0));

const SEGMENT_MS = 2_000;
/** Where the per-segment marker goes: the payload of the first packet after the PAT and the PMT. */
const MARKER_OFFSET = 2 * MPEG_TS_PACKET_BYTES + (MPEG_TS_PACKET_BYTES - MPEG_TS_PAYLOAD_BYTES);

interface Camera {
  deviceId: string;
  signingKey: KeyObject;
  uploader: SegmentUploader;
  chainer: SegmentChainer;
  /** One buffer per camera; its first bytes are rewritten per segment so every segment differs. */
  data: Buffer;
  sequence: number;
}

let cameras: Camera[] = [];
let serverUrl = "";
let viewerCookie = "";
let stopping = false;

/** The camera's next chained segment, captured from `capturedEnd - 2 s` to `capturedEnd`. */
function nextSegment(camera: Camera, capturedEnd: number): VideoSegment {
  camera.data.writeUInt32BE(camera.sequence, MARKER_OFFSET);
  camera.data.writeDoubleBE(capturedEnd, MARKER_OFFSET + 4);
  const startedAt = capturedEnd - SEGMENT_MS;
  const chained = camera.chainer.next(camera.data, startedAt, SEGMENT_MS);
  camera.sequence++;
  return { ...chained, startedAt, durationMs: SEGMENT_MS, data: camera.data };
}

/**
 * Closed loop: every camera uploads back to back; only segments stored inside the window count.
 * With `url`, to another server (the bare sink) through uploaders of its own; the cameras' chains
 * to the real server are left as they were.
 */
async function ingest(warmupMs: number, durationMs: number, url?: string): Promise<VideoPhaseResult> {
  // Stand-ins of the cameras with chains and uploaders of their own: the real chains stay intact.
  const uploading = url
    ? cameras.map((camera) => ({
        ...camera,
        uploader: new SegmentUploader({
          serverUrl: url,
          deviceId: camera.deviceId,
          secret: "bench",
          signingKey: camera.signingKey,
        }),
        chainer: new SegmentChainer(camera.deviceId),
        sequence: 0,
      }))
    : cameras;
  try {
    return await closedLoop(uploading, warmupMs, durationMs);
  } finally {
    if (url) for (const camera of uploading) camera.uploader.close();
  }
}

async function closedLoop(uploading: Camera[], warmupMs: number, durationMs: number): Promise<VideoPhaseResult> {
  const meter = new CpuMeter();
  const result = emptyResult();
  const start = performance.now();
  const windowStart = start + warmupMs;
  const windowEnd = windowStart + durationMs;
  await Promise.all(
    uploading.map(async (camera) => {
      while (!stopping && performance.now() < windowEnd) {
        const segment = nextSegment(camera, Date.now());
        const outcome = await camera.uploader.upload(segment).catch((error: unknown) => ({
          ok: false as const,
          status: 0,
          code: error instanceof Error ? error.message : String(error),
        }));
        const at = performance.now();
        if (at < windowStart || at > windowEnd) continue;
        if (outcome.ok) {
          result.segments++;
          result.bytes += segment.data.length;
        } else note(result, outcome.code);
      }
    }),
  );
  result.windowMs = durationMs;
  result.cpu = meter.sample();
  return result;
}

/** Real cadence: each camera one segment every 2 s, then the live playlist until it lists it. */
async function live(durationMs: number): Promise<VideoPhaseResult> {
  const meter = new CpuMeter();
  const result = emptyResult();
  const end = performance.now() + durationMs;
  await Promise.all(
    cameras.map(async (camera, index) => {
      // Cameras finish their segments at different moments, spread evenly over the 2 s.
      await sleep((index / cameras.length) * SEGMENT_MS);
      let due = Date.now();
      while (!stopping && performance.now() < end) {
        const capturedEnd = due;
        const segment = nextSegment(camera, capturedEnd);
        const outcome = await camera.uploader.upload(segment).catch((error: unknown) => ({
          ok: false as const,
          status: 0,
          code: error instanceof Error ? error.message : String(error),
        }));
        if (outcome.ok) {
          result.segments++;
          result.bytes += segment.data.length;
          const listedAt = await listedInLivePlaylist(camera.deviceId, segment.startedAt);
          if (listedAt === null) note(result, "not_listed");
          else result.lagMs.push(listedAt - capturedEnd);
        } else note(result, outcome.code);
        due += SEGMENT_MS;
        await sleep(due - Date.now());
      }
    }),
  );
  result.windowMs = durationMs;
  result.cpu = meter.sample();
  return result;
}

/**
 * When the camera's live playlist first lists the segment that started at `startedAt` (its
 * PROGRAM-DATE-TIME), asking as a player does; null if it is not listed within 2 s.
 */
async function listedInLivePlaylist(deviceId: string, startedAt: number): Promise<number | null> {
  const marker = `#EXT-X-PROGRAM-DATE-TIME:${new Date(startedAt).toISOString()}`;
  const giveUpAt = Date.now() + 2_000;
  while (!stopping) {
    const response = await fetch(`${serverUrl}/v1/cameras/${deviceId}/live.m3u8`, {
      headers: { cookie: viewerCookie },
    });
    const body = await response.text();
    if (response.ok && body.includes(marker)) return Date.now();
    if (Date.now() > giveUpAt) return null;
    await sleep(10);
  }
  return null;
}

function emptyResult(): VideoPhaseResult {
  return { segments: 0, bytes: 0, windowMs: 0, lagMs: [], failures: 0, firstFailures: [], cpu: null };
}

function note(result: VideoPhaseResult, code: string): void {
  result.failures++;
  if (result.firstFailures.length < 5) result.firstFailures.push(code);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

process.on("message", (command: VideoCameraCommand) => {
  void (async () => {
    try {
      switch (command.type) {
        case "setup":
          serverUrl = command.serverUrl;
          viewerCookie = command.viewerCookie;
          cameras = command.cameras.map(({ deviceId, secret, privateKeyPem }) => {
            const signingKey = importPrivateKeyPem(privateKeyPem).privateKey;
            return {
              deviceId,
              signingKey,
              uploader: new SegmentUploader({ serverUrl, deviceId, secret, signingKey }),
              chainer: new SegmentChainer(deviceId),
              data: Buffer.from(
                syntheticMpegTs(randomBytes(command.segmentBytes), mpegTsPacketsFor(command.segmentBytes)),
              ),
              sequence: 0,
            };
          });
          send({ type: "ready" });
          break;
        case "ingest":
          send({ type: "result", result: await ingest(command.warmupMs, command.durationMs, command.serverUrl) });
          break;
        case "live":
          send({ type: "result", result: await live(command.durationMs) });
          break;
        case "stop":
          stopping = true;
          process.exit(0);
      }
    } catch (error) {
      send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  })();
});
