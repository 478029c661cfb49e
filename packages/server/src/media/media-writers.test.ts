import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MediaDigestMismatch, MediaWriters } from "./media-writers.js";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("MediaWriters", () => {
  let root: string;
  const writers = new MediaWriters(2);
  const paths = (name: string) => ({
    temporary: path.join(root, ".incoming", `${name}.part`),
    target: path.join(root, "cam", name),
  });

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-writers-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("writes more files at once than it has threads, making their directories, each whole", async () => {
    const files = Array.from({ length: 12 }, (_, i) => Buffer.alloc(100_000 + i, i));
    const expected = files.map((bytes) => Buffer.from(bytes));
    await Promise.all(files.map((bytes, i) => writers.write({ bytes, sha256: sha256(bytes), ...paths(`s${i}.ts`) })));
    for (const [i, bytes] of expected.entries()) expect(fs.readFileSync(paths(`s${i}.ts`).target)).toEqual(bytes);
    expect(fs.readdirSync(path.join(root, ".incoming"))).toEqual([]);
  });

  it("stores nothing when the bytes do not have the expected SHA-256", async () => {
    const bytes = Buffer.alloc(5000, 1);
    await expect(writers.write({ bytes, sha256: sha256(Buffer.alloc(5000, 2)), ...paths("bad.ts") })).rejects.toThrow(
      MediaDigestMismatch,
    );
    expect(fs.existsSync(paths("bad.ts").target)).toBe(false);
    expect(fs.existsSync(path.join(root, ".incoming"))).toBe(false);
  });

  it("moves a buffer it may take whole, and copies a view into a shared one (Node's pool of small Buffers)", async () => {
    const whole = new Uint8Array(64 * 1024).fill(7);
    await writers.write({ bytes: whole, ...paths("whole.ts") });
    expect(whole.byteLength).toBe(0);

    const small = Buffer.from("small bytes from the pool");
    const neighbour = Buffer.from("a neighbour in the same pool");
    expect(small.buffer).toBe(neighbour.buffer);
    await writers.write({ bytes: small, ...paths("small.ts") });
    expect(small.toString()).toBe("small bytes from the pool");
    expect(neighbour.toString()).toBe("a neighbour in the same pool");
    expect(fs.readFileSync(paths("small.ts").target, "utf8")).toBe("small bytes from the pool");
  });

  it("reads bytes in shared memory where they are, checked against their SHA-256", async () => {
    const shared = Buffer.from(new SharedArrayBuffer(128 * 1024), 0, 100_000).fill(9);
    await writers.write({ bytes: shared, sha256: sha256(shared), ...paths("shared.ts") });
    expect(shared.length).toBe(100_000);
    expect(fs.readFileSync(paths("shared.ts").target)).toEqual(Buffer.alloc(100_000, 9));
  });

  it("fails with the file system's error code and leaves no temporary file", async () => {
    // A non-empty directory where the file should go makes the rename fail after the write.
    fs.mkdirSync(path.join(paths("taken.ts").target, "inside"), { recursive: true });
    const failure = writers.write({ bytes: Buffer.alloc(10), ...paths("taken.ts") });
    await expect(failure).rejects.toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) });
    expect(fs.readdirSync(path.join(root, ".incoming"))).toEqual([]);
    // The thread that failed a write takes the next one.
    await writers.write({ bytes: Buffer.alloc(10, 3), ...paths("next.ts") });
    expect(fs.readFileSync(paths("next.ts").target)).toEqual(Buffer.alloc(10, 3));
  });
});
