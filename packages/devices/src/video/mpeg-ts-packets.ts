import { MPEG_TS_PACKET_BYTES, MPEG_TS_PAT_PID, MPEG_TS_SYNC_BYTE } from "@threshold/protocol";

/**
 * The smallest MPEG-TS a server accepts as a segment (mpegTsProblem in @threshold/protocol): a
 * Program Association Table, a Program Map Table naming one private-data stream, and packets of
 * that stream carrying a marker. Not playable video — SyntheticVideoSource and the benchmark's
 * cameras send it where running an encoder per camera would only cost time.
 */

const PMT_PID = 0x1000;
const PAYLOAD_PID = 0x0100;
/** ISO/IEC 13818-1 stream_type 0x06: PES packets with private data — honest about not being H.264. */
const PRIVATE_DATA_STREAM = 0x06;
const HEADER_BYTES = 4;
/** Bytes of marker one payload packet carries. */
export const MPEG_TS_PAYLOAD_BYTES = MPEG_TS_PACKET_BYTES - HEADER_BYTES;

/**
 * `packets` packets (at least 3: PAT, PMT, one payload packet), the marker written from the start
 * of the payload packets and the rest zero. A marker longer than the payload packets hold is cut.
 */
export function syntheticMpegTs(marker: Uint8Array, packets: number): Uint8Array {
  const count = Math.max(3, Math.floor(packets));
  const bytes = new Uint8Array(count * MPEG_TS_PACKET_BYTES);
  bytes.set(PAT_PACKET, 0);
  bytes.set(PMT_PACKET, MPEG_TS_PACKET_BYTES);
  for (let i = 2; i < count; i++) {
    writeHeader(bytes, i * MPEG_TS_PACKET_BYTES, PAYLOAD_PID, false, (i - 2) % 16);
  }
  writeMarker(bytes, marker);
  return bytes;
}

/** Packets needed to carry about `size` bytes: what a source asked for `segmentBytes` sends. */
export function mpegTsPacketsFor(size: number): number {
  return Math.max(3, Math.ceil(size / MPEG_TS_PACKET_BYTES));
}

/** Writes `marker` into the payload packets of `segment` (from syntheticMpegTs), in place. */
export function writeMarker(segment: Uint8Array, marker: Uint8Array): void {
  let written = 0;
  for (
    let offset = 2 * MPEG_TS_PACKET_BYTES;
    offset < segment.length && written < marker.length;
    offset += MPEG_TS_PACKET_BYTES
  ) {
    const chunk = marker.subarray(written, written + MPEG_TS_PAYLOAD_BYTES);
    segment.set(chunk, offset + HEADER_BYTES);
    written += chunk.length;
  }
}

function writeHeader(bytes: Uint8Array, offset: number, pid: number, unitStart: boolean, counter: number): void {
  bytes[offset] = MPEG_TS_SYNC_BYTE;
  bytes[offset + 1] = (unitStart ? 0x40 : 0) | ((pid >> 8) & 0x1f);
  bytes[offset + 2] = pid & 0xff;
  // Payload only (adaptation_field_control 01), and the continuity counter.
  bytes[offset + 3] = 0x10 | (counter & 0x0f);
}

/** One packet holding a PSI section (pointer_field 0, the section, its CRC), stuffed with 0xFF. */
function sectionPacket(pid: number, section: number[]): Uint8Array {
  const packet = new Uint8Array(MPEG_TS_PACKET_BYTES).fill(0xff);
  writeHeader(packet, 0, pid, true, 0);
  packet[HEADER_BYTES] = 0; // pointer_field
  const crc = crc32Mpeg(section);
  const withCrc = [...section, (crc >>> 24) & 0xff, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff];
  packet.set(withCrc, HEADER_BYTES + 1);
  return packet;
}

/** table_id, then section_syntax_indicator and section_length over what follows plus the CRC. */
function section(tableId: number, body: number[]): number[] {
  const length = body.length + 4;
  return [tableId, 0xb0 | ((length >> 8) & 0x0f), length & 0xff, ...body];
}

// Program 1 on the PMT's PID; version 0, current, section 0 of 0.
const PAT_PACKET = sectionPacket(
  MPEG_TS_PAT_PID,
  section(0x00, [0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xe0 | (PMT_PID >> 8), PMT_PID & 0xff]),
);
// Program 1: PCR on the payload PID, no descriptors, one private-data stream.
const PMT_PACKET = sectionPacket(
  PMT_PID,
  section(0x02, [
    0x00,
    0x01,
    0xc1,
    0x00,
    0x00,
    0xe0 | (PAYLOAD_PID >> 8),
    PAYLOAD_PID & 0xff,
    0xf0,
    0x00,
    PRIVATE_DATA_STREAM,
    0xe0 | (PAYLOAD_PID >> 8),
    PAYLOAD_PID & 0xff,
    0xf0,
    0x00,
  ]),
);

/** CRC-32/MPEG-2 (polynomial 0x04C11DB7, no reflection, initial 0xFFFFFFFF): what PSI sections end with. */
export function crc32Mpeg(bytes: readonly number[]): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}
