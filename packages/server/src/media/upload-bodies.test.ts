import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { UploadBodies, UploadIncomplete, UploadTooLarge } from "./upload-bodies.js";

function streamOf(...chunks: Buffer[]): PassThrough {
  const stream = new PassThrough();
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return stream;
}

describe("UploadBodies", () => {
  it("reads a body of declared length whole, in shared memory that the next body reuses once released", async () => {
    const bodies = new UploadBodies(1024 * 1024);
    const first = await bodies.read(streamOf(Buffer.alloc(70_000, 1), Buffer.alloc(30_000, 2)), 100_000, 200_000);
    expect(first.bytes.length).toBe(100_000);
    expect(first.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(first.bytes.subarray(0, 70_000).every((b) => b === 1)).toBe(true);
    expect(first.bytes.subarray(70_000).every((b) => b === 2)).toBe(true);
    const memory = first.bytes.buffer;

    // Not yet released: the next body gets other memory.
    const second = await bodies.read(streamOf(Buffer.alloc(90_000, 3)), 90_000, 200_000);
    expect(second.bytes.buffer).not.toBe(memory);
    first.release();
    first.release(); // twice is harmless
    const third = await bodies.read(streamOf(Buffer.alloc(120_000, 4)), 120_000, 200_000);
    expect(third.bytes.buffer).toBe(memory);
    expect(third.bytes.every((b) => b === 4)).toBe(true);
    const fourth = await bodies.read(streamOf(Buffer.alloc(10, 5)), 10, 200_000);
    expect(fourth.bytes.buffer).not.toBe(memory);
  });

  it("keeps no more memory for reuse than its limit", async () => {
    const bodies = new UploadBodies(128 * 1024);
    const a = await bodies.read(streamOf(Buffer.alloc(100_000)), 100_000, 200_000);
    const b = await bodies.read(streamOf(Buffer.alloc(100_000)), 100_000, 200_000);
    a.release();
    b.release(); // over the limit: left to the garbage collector
    const c = await bodies.read(streamOf(Buffer.alloc(100_000)), 100_000, 200_000);
    const d = await bodies.read(streamOf(Buffer.alloc(100_000)), 100_000, 200_000);
    expect(c.bytes.buffer).toBe(a.bytes.buffer);
    expect(d.bytes.buffer).not.toBe(b.bytes.buffer);
  });

  it("refuses a body over the limit: before reading when declared, as soon as it grows past it when not", async () => {
    const bodies = new UploadBodies(1024 * 1024);
    await expect(bodies.read(streamOf(Buffer.alloc(10)), 300_000, 200_000)).rejects.toThrow(UploadTooLarge);
    await expect(bodies.read(streamOf(Buffer.alloc(150_000), Buffer.alloc(150_000)), null, 200_000)).rejects.toThrow(
      UploadTooLarge,
    );
    const unsized = await bodies.read(streamOf(Buffer.from("chunked "), Buffer.from("body")), null, 200_000);
    expect(unsized.bytes.toString()).toBe("chunked body");
  });

  it("refuses a body that ends short of its declared length, or breaks off", async () => {
    const bodies = new UploadBodies(1024 * 1024);
    await expect(bodies.read(streamOf(Buffer.alloc(10)), 20, 200_000)).rejects.toThrow(UploadIncomplete);
    const broken = new PassThrough();
    broken.write(Buffer.alloc(10));
    const reading = bodies.read(broken, 20, 200_000);
    broken.destroy(new Error("socket hang up"));
    await expect(reading).rejects.toThrow(/broke off: socket hang up/);
  });
});
