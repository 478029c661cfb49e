import http from "node:http";
import type { AddressInfo } from "node:net";
import { ManualClock, ManualScheduler } from "@threshold/core";
import { importPublicKey, mpegTsProblem, verifySegmentSignature } from "@threshold/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { TestBench } from "./test-support/bench.js";
import { startBroker, type TestBroker } from "./test-support/broker.js";
import { SyntheticVideoSource } from "./video/synthetic-video-source.js";
import type { VideoSegment, VideoSource } from "./video-source.js";

let broker: TestBroker;
let bench: TestBench;

beforeAll(async () => {
  broker = await startBroker();
  bench = new TestBench(broker);
});
afterEach(() => bench.cleanup());
afterAll(() => broker.close());

/** Remembers what the camera asked of its video. */
class RecordingVideoSource implements VideoSource {
  readonly calls: string[] = [];
  async start(visitId?: string): Promise<void> {
    this.calls.push(`start ${visitId ?? "-"}`);
  }
  async stop(): Promise<void> {
    this.calls.push("stop");
  }
  onSegment(_listener: (segment: VideoSegment) => void): () => void {
    return () => {};
  }
  freeze(): void {
    this.calls.push("freeze");
  }
  unfreeze(): void {
    this.calls.push("unfreeze");
  }
}

describe("CameraAgent", () => {
  it("starts idle and streaming", async () => {
    const { gateway, agent } = await bench.camera();
    expect(gateway.states[0]).toMatchObject({
      online: true,
      kind: "camera",
      state: { recording: false, streaming: true },
    });
    expect(agent.state).toEqual({ recording: false, streaming: true });
  });

  it("records a visit on record_start and stops on record_stop", async () => {
    const video = new RecordingVideoSource();
    const { gateway, agent } = await bench.camera({ video });

    const started = await gateway.request("record_start", { params: { visitId: "vis_01" } });
    expect(started).toMatchObject({
      status: "succeeded",
      state: { recording: true, visitId: "vis_01", streaming: true },
    });
    expect((await gateway.waitForEvent("camera.recording_started")).data).toEqual({ visitId: "vis_01" });
    await gateway.waitForState((state) => "recording" in state.state && state.state.visitId === "vis_01");

    const stopped = await gateway.request("record_stop");
    expect(stopped).toMatchObject({ status: "succeeded", state: { recording: false, streaming: true } });
    expect(stopped.state).not.toHaveProperty("visitId");
    expect((await gateway.waitForEvent("camera.recording_stopped")).data).toEqual({
      visitId: "vis_01",
      // This source finished no segment, so there is no chain head to sign.
      chainHash: null,
      sequence: null,
      startedAt: null,
    });
    expect(agent.state).toEqual({ recording: false, streaming: true });
    expect(video.calls).toEqual(["start -", "start vis_01", "start -"]);
    expect(gateway.problems).toEqual([]);
  });

  it("closes one visit's recording before starting another's", async () => {
    const video = new RecordingVideoSource();
    const { gateway } = await bench.camera({ video });
    await gateway.request("record_start", { params: { visitId: "vis_a" } });
    const second = await gateway.request("record_start", { params: { visitId: "vis_b" } });
    expect(second.state).toMatchObject({ recording: true, visitId: "vis_b" });
    expect(video.calls).toEqual(["start -", "start vis_a", "start vis_b"]);
    expect(gateway.events.map((event) => `${event.type} ${event.data.visitId}`)).toEqual([
      "camera.recording_started vis_a",
      "camera.recording_stopped vis_a",
      "camera.recording_started vis_b",
    ]);
  });

  it("fails record_start when its video cannot start, and reports no recording", async () => {
    const video = new RecordingVideoSource();
    video.start = async () => {
      throw new Error("no capture device");
    };
    const { gateway, agent, logs } = await bench.camera({ video });
    const ack = await gateway.request("record_start", { params: { visitId: "vis_01" } });
    expect(ack).toMatchObject({ status: "failed", state: { recording: false } });
    expect(agent.state.recording).toBe(false);
    expect(logs.join("\n")).toContain("no capture device");
  });

  it("rejects lock and unlock as unsupported", async () => {
    const { gateway } = await bench.camera();
    expect(await gateway.request("unlock")).toMatchObject({ status: "rejected", reason: "unsupported" });
    expect(await gateway.request("lock")).toMatchObject({ status: "rejected", reason: "unsupported" });
    expect(gateway.events).toEqual([]);
  });

  it("starts its video over when the source fails by itself, and keeps trying", async () => {
    const video = new RecordingVideoSource();
    let fail: (error: Error) => void = () => {};
    let startsLeftToFail = 1;
    const start = video.start.bind(video);
    video.start = async (visitId?: string) => {
      await start(visitId);
      if (video.calls.length > 1 && startsLeftToFail-- > 0) throw new Error("encoder busy");
    };
    const source: VideoSource = Object.assign(video, {
      onError: (listener: (error: Error) => void) => {
        fail = listener;
        return () => {};
      },
    });
    const scheduler = new ManualScheduler(new ManualClock(Date.now()));
    const { agent, logs } = await bench.camera({
      video: source,
      restartAfterRefusalMs: 5_000,
      clock: scheduler.clock,
      scheduler,
    });
    fail(new Error("ffmpeg exited with code 1"));
    // The first restart is at once, and fails to start.
    await vi.waitFor(() => expect(logs.join("\n")).toContain("encoder busy"), { timeout: 10_000 });
    expect(video.calls).toEqual(["start -", "stop", "start -"]);
    // The next waits out the pause, so a crashing encoder does not make the camera thrash.
    scheduler.advance(4_999);
    expect(video.calls).toHaveLength(3);
    scheduler.advance(1);
    await vi.waitFor(() => expect(video.calls).toHaveLength(5), { timeout: 10_000 });
    expect(video.calls).toEqual(["start -", "stop", "start -", "stop", "start -"]);
    expect(logs.join("\n")).toContain("ffmpeg exited with code 1");
    await agent.stop();
  });

  it("signs the chain head of its video when a recording stops", async () => {
    const video = new SyntheticVideoSource({ deviceId: "dev_camera_under_test" });
    const segments: VideoSegment[] = [];
    video.onSegment((segment) => segments.push(segment));
    const { gateway } = await bench.camera({ video });
    await gateway.request("record_start", { params: { visitId: "vis_01" } });
    await gateway.request("record_stop");
    const stopped = await gateway.waitForEvent("camera.recording_stopped");
    const head = segments.at(-1);
    expect(head?.chainHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stopped.data).toEqual({
      visitId: "vis_01",
      chainHash: head?.chainHash,
      sequence: head?.sequence,
      startedAt: head?.startedAt,
    });
  });

  it("signs every segment it uploads with its own device key", async () => {
    // A stand-in server that keeps what the camera sent and accepts it.
    const received: { headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(201, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { agent } = await bench.camera({
        video: new SyntheticVideoSource({ deviceId: "dev_camera_under_test" }),
        upload: { serverUrl },
      });
      await agent.uploadsIdle();
      expect(agent.uploads.uploaded).toBeGreaterThan(0);
      const publicKey = importPublicKey(agent.identity.publicKey);
      for (const { headers, body } of received) {
        const chainHash = String(headers["x-threshold-chain-hash"]);
        const signature = String(headers["x-threshold-segment-signature"]);
        expect(verifySegmentSignature({ deviceId: agent.identity.deviceId, chainHash }, signature, publicKey)).toBe(
          true,
        );
        expect(mpegTsProblem(body)).toBeNull();
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("streams from start to stop, recording or not", async () => {
    const video = new RecordingVideoSource();
    const { agent } = await bench.camera({ video });
    expect(video.calls).toEqual(["start -"]);
    await agent.stop();
    expect(video.calls).toEqual(["start -", "stop"]);
  });

  it("still claims to stream when frozen: only the server's freshness can tell", async () => {
    const video = new RecordingVideoSource();
    const { gateway, agent } = await bench.camera({ video });
    agent.freeze();
    expect(video.calls).toContain("freeze");
    await gateway.request("record_start", { params: { visitId: "vis_01" } });
    expect(gateway.states.at(-1)?.state).toMatchObject({ streaming: true });
    agent.unfreeze();
    expect(video.calls).toContain("unfreeze");
  });
});
