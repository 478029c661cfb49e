import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DirectoryMediaStore } from "./directory-media-store.js";

describe("DirectoryMediaStore", () => {
  let root: string;
  let store: DirectoryMediaStore;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-media-"));
    store = new DirectoryMediaStore(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("stores, reads, streams and deletes an object by key", async () => {
    await store.put("dev_a/seg_1.ts", Buffer.from("first bytes"));
    expect((await store.get("dev_a/seg_1.ts"))?.toString()).toBe("first bytes");
    const object = await store.open("dev_a/seg_1.ts");
    if (!object) throw new Error("the object should be there");
    expect(object.size).toBe(11);
    expect(await text(object.stream)).toBe("first bytes");
    expect(fs.readFileSync(path.join(root, "dev_a", "seg_1.ts"), "utf8")).toBe("first bytes");

    await store.delete("dev_a/seg_1.ts");
    expect(await store.get("dev_a/seg_1.ts")).toBeNull();
    expect(await store.open("dev_a/seg_1.ts")).toBeNull();
    // Deleting again (a retry, a race with another process) is fine.
    await expect(store.delete("dev_a/seg_1.ts")).resolves.toBeUndefined();
  });

  it("replaces an object whole and leaves no temporary file behind", async () => {
    await store.put("k.ts", Buffer.alloc(1000, 1));
    await store.put("k.ts", Buffer.alloc(10, 2));
    expect(await store.get("k.ts")).toEqual(Buffer.alloc(10, 2));
    expect(fs.readdirSync(path.join(root, ".incoming"))).toEqual([]);
  });

  it("never leaves a partial object under the real name when a write fails", async () => {
    // A directory where the object should go makes the final rename fail after the bytes were written.
    fs.mkdirSync(path.join(root, "dev_a", "seg_2.ts"), { recursive: true });
    fs.writeFileSync(path.join(root, "dev_a", "seg_2.ts", "blocker"), "x");
    await expect(store.put("dev_a/seg_2.ts", Buffer.alloc(4096, 7))).rejects.toThrow();
    expect(fs.readdirSync(path.join(root, ".incoming"))).toEqual([]);
    expect(fs.statSync(path.join(root, "dev_a", "seg_2.ts")).isDirectory()).toBe(true);
  });

  it("makes a camera's directory again when it was removed behind the store's back", async () => {
    await store.put("dev_a/seg_1.ts", Buffer.from("one"));
    fs.rmSync(path.join(root, "dev_a"), { recursive: true });
    fs.rmSync(path.join(root, ".incoming"), { recursive: true });
    await store.put("dev_a/seg_2.ts", Buffer.from("two"));
    expect(fs.readFileSync(path.join(root, "dev_a", "seg_2.ts"), "utf8")).toBe("two");
    expect(fs.readdirSync(path.join(root, ".incoming"))).toEqual([]);
  });

  it("refuses keys that could escape the store", async () => {
    for (const key of ["../escape.ts", "/etc/passwd", "a/../../b", "", ".incoming/x", "a//b", "a\\b"]) {
      await expect(store.put(key, Buffer.from("x")), key).rejects.toThrow(TypeError);
      await expect(store.get(key), key).rejects.toThrow(TypeError);
    }
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it("removes abandoned temporary files once they are old, not writes in progress", async () => {
    fs.mkdirSync(path.join(root, ".incoming"));
    const old = path.join(root, ".incoming", "old.part");
    const fresh = path.join(root, ".incoming", "fresh.part");
    fs.writeFileSync(old, "half");
    fs.writeFileSync(fresh, "half");
    const now = Date.now();
    fs.utimesSync(old, new Date(now - 7_200_000), new Date(now - 7_200_000));
    expect(await store.removeAbandonedWrites(now, 3_600_000)).toBe(1);
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
  });
});
