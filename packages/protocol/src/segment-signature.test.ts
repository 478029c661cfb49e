import { describe, expect, it } from "vitest";
import { MPEG_TS_PACKET_BYTES, mpegTsProblem } from "./mpeg-ts.js";
import { signSegment, verifySegmentSignature, verifySegmentSignatureAsync } from "./segment-signature.js";
import { segmentStatement } from "./segment-statement.js";
import { generateEd25519, signMessage } from "./signing.js";
import { EXAMPLE_IDENTITIES, loadProtocolTestKeys } from "./test-keys.js";

const camera = loadProtocolTestKeys().devices.get(EXAMPLE_IDENTITIES.cameraDeviceId);
if (!camera) throw new Error("no camera test key");
const segment = {
  deviceId: EXAMPLE_IDENTITIES.cameraDeviceId,
  chainHash: "2e71819f4b7f8f1ce19795a6ba8cda73a58ccc464d621126e044874242b31b42",
};

describe("segment signatures", () => {
  it("sign the canonical JSON written in docs/video.md", () => {
    // Written out by hand: a change to the statement would silently invalidate every stored signature.
    expect(segmentStatement(segment)).toBe(
      `{"chainHash":"${segment.chainHash}","deviceId":"${segment.deviceId}","type":"video.segment"}`,
    );
    // Ed25519 is deterministic: the published camera test key always gives this signature.
    const signature = signSegment(segment, camera.pair.privateKey);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(signSegment(segment, camera.pair.privateKey)).toBe(signature);
  });

  it("verify with the camera's key only, for that device and chain hash only", async () => {
    const signature = signSegment(segment, camera.pair.privateKey);
    expect(verifySegmentSignature(segment, signature, camera.pair.publicKey)).toBe(true);
    expect(await verifySegmentSignatureAsync(segment, signature, camera.pair.publicKey)).toBe(true);
    const other = generateEd25519();
    const refusals = [
      verifySegmentSignature(segment, signature, other.publicKey),
      verifySegmentSignature({ ...segment, chainHash: "f".repeat(64) }, signature, camera.pair.publicKey),
      verifySegmentSignature(
        { ...segment, deviceId: EXAMPLE_IDENTITIES.lockDeviceId },
        signature,
        camera.pair.publicKey,
      ),
      verifySegmentSignature(segment, `${signature.slice(0, -2)}AA`, camera.pair.publicKey),
      verifySegmentSignature(segment, "", camera.pair.publicKey),
      verifySegmentSignature(segment, `${signature}=`, camera.pair.publicKey),
      await verifySegmentSignatureAsync(segment, signature, other.publicKey),
      await verifySegmentSignatureAsync(segment, "not a signature", camera.pair.publicKey),
    ];
    expect(refusals).toEqual(refusals.map(() => false));
  });

  it("are not interchangeable with the camera's signed messages", () => {
    // The same members signed as a device message (signMessage) do not make a segment signature.
    const message = signMessage({ type: "video.segment", deviceId: segment.deviceId }, camera.pair.privateKey);
    expect(verifySegmentSignature(segment, message.sig, camera.pair.publicKey)).toBe(false);
  });
});

describe("mpegTsProblem", () => {
  const packet = (pid: number) => {
    const bytes = new Uint8Array(MPEG_TS_PACKET_BYTES);
    bytes[0] = 0x47;
    bytes[1] = (pid >> 8) & 0x1f;
    bytes[2] = pid & 0xff;
    bytes[3] = 0x10;
    return bytes;
  };
  const join = (...packets: Uint8Array[]) => new Uint8Array(packets.flatMap((p) => [...p]));

  it("accepts whole packets with sync bytes and a PAT", () => {
    expect(mpegTsProblem(join(packet(0)))).toBeNull();
    expect(mpegTsProblem(join(packet(0x100), packet(0), packet(0x1000)))).toBeNull();
  });

  it("names what is wrong otherwise", () => {
    expect(mpegTsProblem(new Uint8Array(0))).toBe("the segment is empty");
    expect(mpegTsProblem(join(packet(0), new Uint8Array([0x47])))).toMatch(/whole number of 188-byte/);
    const unsynced = join(packet(0), packet(0x100));
    unsynced[188] = 0x48;
    expect(mpegTsProblem(unsynced)).toBe("the packet at byte 188 does not start with the sync byte 0x47");
    expect(mpegTsProblem(join(packet(0x100), packet(0x1000)))).toBe("it has no Program Association Table (PID 0)");
  });
});
