import { MPEG_TS_PACKET_BYTES, mpegTsProblem, packetPid } from "@threshold/protocol";
import { describe, expect, it } from "vitest";
import { crc32Mpeg, MPEG_TS_PAYLOAD_BYTES, mpegTsPacketsFor, syntheticMpegTs } from "./mpeg-ts-packets.js";
import { SyntheticVideoSource } from "./synthetic-video-source.js";

describe("synthetic MPEG-TS", () => {
  it("is a PAT, a PMT and payload packets that the server's container check accepts", () => {
    const bytes = syntheticMpegTs(new TextEncoder().encode("marker"), 5);
    expect(bytes.length).toBe(5 * MPEG_TS_PACKET_BYTES);
    expect(mpegTsProblem(bytes)).toBeNull();
    const pids = [0, 1, 2, 3, 4].map((i) => packetPid(bytes, i * MPEG_TS_PACKET_BYTES));
    expect(pids).toEqual([0, 0x1000, 0x100, 0x100, 0x100]);
    expect(new TextDecoder().decode(bytes.subarray(2 * MPEG_TS_PACKET_BYTES + 4, 2 * MPEG_TS_PACKET_BYTES + 10))).toBe(
      "marker",
    );
  });

  it("ends its PSI sections with the CRC-32/MPEG-2 a demuxer checks", () => {
    expect(crc32Mpeg([..."123456789"].map((c) => c.charCodeAt(0)))).toBe(0x0376e6e7);
    const bytes = syntheticMpegTs(new Uint8Array(0), 3);
    // PAT: pointer_field, then section_length bytes after the length field; the CRC of a whole section is 0.
    const sectionLength = ((bytes[6] ?? 0) & 0x0f) * 256 + (bytes[7] ?? 0);
    expect(crc32Mpeg([...bytes.subarray(5, 8 + sectionLength)])).toBe(0);
  });

  it("spreads a long marker over the payload packets and cuts what does not fit", () => {
    const marker = new Uint8Array(MPEG_TS_PAYLOAD_BYTES * 2).fill(7);
    const bytes = syntheticMpegTs(marker, 3);
    expect(mpegTsProblem(bytes)).toBeNull();
    expect(bytes[2 * MPEG_TS_PACKET_BYTES + 4]).toBe(7);
    expect(mpegTsPacketsFor(1024)).toBe(6);
    expect(mpegTsPacketsFor(10)).toBe(3);
  });

  it("is what SyntheticVideoSource sends", async () => {
    let now = 1_764_048_000_000;
    const source = new SyntheticVideoSource({ deviceId: "dev_camera_1", now: () => now });
    const segments: Uint8Array[] = [];
    source.onSegment((segment) => segments.push(segment.data));
    await source.start();
    now += 2000;
    await source.stop();
    expect(segments.length).toBeGreaterThan(0);
    for (const data of segments) expect(mpegTsProblem(data)).toBeNull();
  });
});
