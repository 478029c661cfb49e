import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WalSync } from "./wal-sync.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-walsync-"));
const file = path.join(dir, "db-wal");
fs.writeFileSync(file, "frames");
afterEach(() => undefined);

/** An fsync the test finishes by hand, to see which callers wait for which fsync. */
function manualFsync() {
  const calls: (() => void)[] = [];
  return {
    calls,
    fsync: () => new Promise<void>((resolve) => calls.push(resolve)),
  };
}

describe("WalSync (group commit)", () => {
  it("lets commits made together share one fsync", async () => {
    const disk = manualFsync();
    const sync = new WalSync(file, disk.fsync);
    const first = sync.flush();
    const during = [sync.flush(), sync.flush(), sync.flush()];
    expect(disk.calls).toHaveLength(1);
    disk.calls[0]?.();
    await first;
    // The three that asked while the first fsync ran share exactly one more.
    await new Promise((r) => setImmediate(r));
    expect(disk.calls).toHaveLength(2);
    disk.calls[1]?.();
    await Promise.all(during);
    expect(sync.syncs).toBe(2);
    sync.close();
  });

  it("never lets a commit made during an fsync ride on that fsync", async () => {
    const disk = manualFsync();
    const sync = new WalSync(file, disk.fsync);
    void sync.flush();
    let lateDone = false;
    const late = sync.flush().then(() => {
      lateDone = true;
    });
    disk.calls[0]?.();
    await new Promise((r) => setImmediate(r));
    expect(lateDone).toBe(false);
    disk.calls[1]?.();
    await late;
    expect(lateDone).toBe(true);
    sync.close();
  });

  it("really fsyncs the file", async () => {
    const sync = new WalSync(file);
    await Promise.all([sync.flush(), sync.flush()]);
    expect(sync.syncs).toBeGreaterThanOrEqual(1);
    sync.close();
  });
});
