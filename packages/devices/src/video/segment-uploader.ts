import type { KeyObject } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { signSegment } from "@threshold/protocol";
import type { VideoSegment } from "../video-source.js";

export interface SegmentUploaderOptions {
  /** The Threshold server, e.g. http://127.0.0.1:8080. */
  serverUrl: string;
  /** The camera's device id and the secret it got at pairing (the same credentials as MQTT). */
  deviceId: string;
  secret: string;
  /**
   * The camera's own Ed25519 key (its identity's, from pairing): every segment is signed with it.
   * The secret only lets the camera in; the signature is what makes the video the camera's.
   */
  signingKey: KeyObject;
  /** How many segments may wait while the server is unreachable; the oldest are dropped first. */
  maxQueued?: number;
  /** First retry delay after a network failure or a 5xx; doubles up to 8 s. */
  retryMs?: number;
  /** How long one upload may go without progress before it fails as a network error. Default 30 s. */
  timeoutMs?: number;
  log?: (line: string) => void;
  /**
   * The server refused a segment for good. Nothing later in its stream can link any more (the
   * server would answer segment_gap), so those are dropped too; the camera must start a new stream.
   */
  onRefused?: (segment: VideoSegment, result: { status: number; code: string }) => void;
}

export type UploadResult = { ok: true } | { ok: false; status: number; code: string };

/**
 * Sends a camera's chained segments to the server, one at a time and in order (the server accepts
 * only the next link of the chain): `PUT /v1/cameras/{deviceId}/segments/{sequence}`, the bytes as
 * video/mp2t, the chain metadata in headers with the camera's signature over the segment, HTTP
 * Basic with the device's credentials (docs/video.md). Network failures and 5xx are retried with backoff — a segment is worth little
 * late but nothing lost; a 4xx is the server refusing that segment for good and is not retried.
 *
 * Uploads go through node:http(s) on one kept-alive connection rather than fetch: measured here,
 * fetch spent about five times the CPU per 256 KiB upload, which matters on a bridge that runs
 * many cameras (and capped the video benchmark's cameras at ~100 uploads/s in one process).
 */
export class SegmentUploader {
  private readonly queue: VideoSegment[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly authorization: string;
  /** One connection, kept alive: a camera uploads one segment at a time. */
  private readonly agent: http.Agent;
  uploaded = 0;
  refused = 0;
  dropped = 0;

  constructor(private readonly options: SegmentUploaderOptions) {
    this.authorization = `Basic ${Buffer.from(`${options.deviceId}:${options.secret}`).toString("base64")}`;
    const secure = new URL(options.serverUrl).protocol === "https:";
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: 1 })
      : new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** Queues a finished segment; uploads start at once. */
  enqueue(segment: VideoSegment): void {
    if (this.closed) return;
    this.queue.push(segment);
    const max = this.options.maxQueued ?? 30;
    while (this.queue.length > max) {
      this.queue.shift();
      this.dropped++;
    }
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when every queued segment was uploaded or refused (or the uploader closed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops uploading; queued segments are dropped. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.agent.destroy();
  }

  private async drain(): Promise<void> {
    let delay = this.options.retryMs ?? 250;
    for (let segment = this.queue[0]; segment && !this.closed; segment = this.queue[0]) {
      let result: UploadResult;
      try {
        result = await this.upload(segment);
      } catch (error) {
        result = { ok: false, status: 0, code: error instanceof Error ? error.message : String(error) };
      }
      if (result.ok || (result.status >= 400 && result.status < 500)) {
        this.queue.shift();
        if (result.ok) this.uploaded++;
        else this.refuse(segment, result);
        delay = this.options.retryMs ?? 250;
        continue;
      }
      this.options.log?.(`segment ${segment.sequence} not uploaded (${result.code}); retrying in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(delay * 2, 8_000);
    }
  }

  private refuse(segment: VideoSegment, result: { status: number; code: string }): void {
    this.refused++;
    this.options.log?.(`segment ${segment.sequence} refused: ${result.status} ${result.code}`);
    const before = this.queue.length;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]?.streamId === segment.streamId) this.queue.splice(i, 1);
    }
    this.dropped += before - this.queue.length;
    this.options.onRefused?.(segment, result);
  }

  /** One attempt: the server's answer, or a thrown network error. */
  async upload(segment: VideoSegment): Promise<UploadResult> {
    if (!segment.contentSha256 || !segment.prevHash || !segment.chainHash) {
      throw new Error(`segment ${segment.sequence} is not chained`);
    }
    const url = `${this.options.serverUrl.replace(/\/$/, "")}/v1/cameras/${this.options.deviceId}/segments/${segment.sequence}`;
    const headers: Record<string, string> = {
      authorization: this.authorization,
      "content-type": "video/mp2t",
      "x-threshold-started-at": String(segment.startedAt),
      "x-threshold-duration-ms": String(segment.durationMs),
      "x-threshold-content-sha256": segment.contentSha256,
      "x-threshold-prev-hash": segment.prevHash,
      "x-threshold-chain-hash": segment.chainHash,
      "x-threshold-segment-signature": signSegment(
        { deviceId: this.options.deviceId, chainHash: segment.chainHash },
        this.options.signingKey,
      ),
    };
    if (segment.visitId) headers["x-threshold-visit-id"] = segment.visitId;
    const { status, body } = await this.put(url, headers, segment.data);
    if (status >= 200 && status < 300) return { ok: true };
    return { ok: false, status, code: errorCode(body) ?? `http_${status}` };
  }

  /** One PUT; resolves with the status and (the start of) the answer, rejects on network errors. */
  private put(
    url: string,
    headers: Record<string, string>,
    data: Uint8Array,
  ): Promise<{ status: number; body: string }> {
    const client = url.startsWith("https:") ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(
        url,
        {
          method: "PUT",
          agent: this.agent,
          headers: { ...headers, "content-length": String(data.byteLength) },
          timeout: this.options.timeoutMs ?? 30_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on("data", (chunk: Buffer) => {
            // An error body is a few hundred bytes; never hold more than this of an answer.
            if (kept < MAX_ANSWER_BYTES) chunks.push(chunk);
            kept += chunk.length;
          });
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
          response.on("error", reject);
        },
      );
      request.on("timeout", () => request.destroy(new Error("the upload made no progress in time")));
      request.on("error", reject);
      request.end(data);
    });
  }
}

const MAX_ANSWER_BYTES = 64 * 1024;

/** The stable `error.code` of a Threshold error answer, if the body is one. */
function errorCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === "string" ? code : undefined;
  } catch {
    return undefined;
  }
}
