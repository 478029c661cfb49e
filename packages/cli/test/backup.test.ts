import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const BIN = path.resolve(import.meta.dirname, "../bin/threshold.js");
const run = promisify(execFile);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-cli-backup-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

async function threshold(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_URL: "", LOG_LEVEL: "silent", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// The whole round trip with a server's data (a delivered visit, its proof and clip) is tested in
// packages/server/src/backup/backup.test.ts; here, the commands as a user types them.
describe("threshold backup and restore", () => {
  it.each([["backup"], ["restore"]])("has --help on %s", async (command) => {
    const result = await threshold([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: threshold ${command} \\[options\\] <dir>`));
  });

  it("backs up, restores into a new data directory, and the restored audit log verifies", async () => {
    const original = path.join(scratch, "original");
    const copy = path.join(scratch, "restored");
    const backup = path.join(scratch, "backup");
    expect((await threshold(["db", "migrate"], { DATA_DIR: original })).code).toBe(0);

    const backedUp = await threshold(["backup", backup], { DATA_DIR: original });
    expect(backedUp.stderr).toBe("");
    expect(backedUp.stdout).toMatch(/^Backed up to .*: the sqlite database/);
    const restored = await threshold(["restore", backup], { DATA_DIR: copy });
    expect(restored.stderr).toBe("");
    expect(restored.stdout).toMatch(/the audit log is intact/);
    const verified = await threshold(["audit", "verify"], { DATA_DIR: copy });
    expect(verified.stdout).toMatch(/^The audit log is intact/);

    const again = await threshold(["restore", backup], { DATA_DIR: copy });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already a database at .*restore into a new DATA_DIR/);
  }, 120_000);

  it("says where it looked when there is nothing to back up, and creates nothing there", async () => {
    const nowhere = path.join(scratch, "nowhere");
    const result = await threshold(["backup", path.join(scratch, "never")], { DATA_DIR: nowhere });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no database at ${path.join(nowhere, "threshold.db")}`);
    expect(fs.existsSync(nowhere)).toBe(false);
  }, 60_000);
});
