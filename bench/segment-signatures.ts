/**
 * What signing every video segment costs (docs/decisions.md, "Cameras sign every segment"): the
 * camera's signature per segment, the server's checks per upload — the signature on the event
 * loop and on the thread pool, the MPEG-TS container check — next to the SHA-256 of the segment
 * that both sides already pay. CPU time of this process (process.cpuUsage), so other load on the
 * machine slows the run down without inflating the figures much.
 *
 *   npx tsx bench/segment-signatures.ts [--segment-kib=256] [--rounds=4000]
 */
import { createHash } from "node:crypto";
import { mpegTsPacketsFor, syntheticMpegTs } from "@threshold/devices";
import {
  exportPublicKey,
  generateEd25519,
  importPublicKey,
  mpegTsProblem,
  signSegment,
  verifySegmentSignature,
  verifySegmentSignatureAsync,
} from "@threshold/protocol";

const option = (name: string, fallback: number) => {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  return raw === undefined ? fallback : Number(raw);
};
const segmentBytes = option("segment-kib", 256) * 1024;
const rounds = option("rounds", 4000);

const keys = generateEd25519();
const deviceId = "dev_01m7wmhqv85wramjsdc53wjxsm";
const segment = Buffer.from(syntheticMpegTs(new Uint8Array(segmentBytes), mpegTsPacketsFor(segmentBytes)));
const chainHashes = Array.from({ length: rounds }, (_, i) => createHash("sha256").update(`segment ${i}`).digest("hex"));
const signatures = chainHashes.map((chainHash) => signSegment({ deviceId, chainHash }, keys.privateKey));

/** CPU microseconds per call of `run` over `count` calls. */
function cpuPer(count: number, run: (i: number) => void): number {
  for (let i = 0; i < Math.min(count, 200); i++) run(i); // warm up
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) run(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

async function cpuPerAsync(count: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  // 8 in flight, as uploads from many cameras would be.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) await run(next++);
    }),
  );
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

const raw = exportPublicKey(keys.publicKey);
const results = {
  sign_us: cpuPer(rounds, (i) => signSegment({ deviceId, chainHash: chainHashes[i] as string }, keys.privateKey)),
  verify_us: cpuPer(rounds, (i) =>
    verifySegmentSignature({ deviceId, chainHash: chainHashes[i] as string }, signatures[i] as string, keys.publicKey),
  ),
  verify_async_us: await cpuPerAsync(rounds, (i) =>
    verifySegmentSignatureAsync(
      { deviceId, chainHash: chainHashes[i] as string },
      signatures[i] as string,
      keys.publicKey,
    ),
  ),
  import_key_us: cpuPer(rounds, () => importPublicKey(raw)),
  container_check_us: cpuPer(Math.max(200, rounds / 4), () => mpegTsProblem(segment)),
  segment_sha256_us: cpuPer(Math.max(200, rounds / 10), () => createHash("sha256").update(segment).digest()),
};
const fmt = (n: number) => n.toFixed(1);
console.log(
  `segment signatures (${segment.length} B segments, ${rounds} rounds, CPU µs per call): ` +
    Object.entries(results)
      .map(([name, value]) => `${name}=${fmt(value)}`)
      .join(" "),
);
