/**
 * The container check a camera's segment must pass (docs/video.md, upload): MPEG-TS as HLS uses
 * it. Not a decoder — it proves the body is the declared container, so a server is never made to
 * store, serve and vouch for arbitrary bytes under `video/mp2t`. Reads the bytes in place (no copy):
 * it runs on the server's event loop for every upload.
 */

export const MPEG_TS_PACKET_BYTES = 188;
export const MPEG_TS_SYNC_BYTE = 0x47;
/** The Program Association Table's PID: every stream a player can join starts from it. */
export const MPEG_TS_PAT_PID = 0;

/** Why `bytes` are not an MPEG-TS segment, or null when they are. */
export function mpegTsProblem(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return "the segment is empty";
  if (bytes.length % MPEG_TS_PACKET_BYTES !== 0) {
    return `its length is not a whole number of ${MPEG_TS_PACKET_BYTES}-byte MPEG-TS packets`;
  }
  let hasPat = false;
  for (let offset = 0; offset < bytes.length; offset += MPEG_TS_PACKET_BYTES) {
    if (bytes[offset] !== MPEG_TS_SYNC_BYTE) {
      return `the packet at byte ${offset} does not start with the sync byte 0x47`;
    }
    if (!hasPat) hasPat = packetPid(bytes, offset) === MPEG_TS_PAT_PID;
  }
  return hasPat ? null : "it has no Program Association Table (PID 0)";
}

/** The 13-bit PID of the packet at `offset`. */
export function packetPid(bytes: Uint8Array, offset: number): number {
  return (((bytes[offset + 1] ?? 0) & 0x1f) << 8) | (bytes[offset + 2] ?? 0);
}
