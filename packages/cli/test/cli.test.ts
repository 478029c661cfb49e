import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const BIN = path.resolve(import.meta.dirname, "../bin/threshold.js");
const run = promisify(execFile);

async function threshold(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A loopback port nothing listens on (the OS picked it free, and it was closed again): connecting is refused. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-cli-"));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/**
 * Each test starts real `threshold` processes; the ones that open a database or start a server load
 * the whole server first (seconds of CPU, many more on a busy machine). Bounded generously: the
 * verdicts are about what the command prints, never about how fast.
 */
describe("the threshold command", { timeout: 120_000 }, () => {
  it.each([
    [[]],
    [["serve"]],
    [["demo"]],
    [["simulate"]],
    [["db"]],
    [["db", "migrate"]],
    [["keys"]],
    [["keys", "show"]],
    [["keys", "rotate"]],
    [["openapi"]],
    [["keypad"]],
    [["keypad", "type"]],
    [["device", "door"]],
    [["locker", "put"]],
    [["courier", "open-next"]],
  ])("has --help on %j", async (args) => {
    const result = await threshold([...args, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: threshold/);
  });

  it("tells in simulate --help where the control socket is and what drives it", async () => {
    const result = await threshold(["simulate", "--help"]);
    expect(result.stdout).toMatch(/control\.sock/);
    expect(result.stdout).toMatch(/threshold device/);
  });

  it("says how to start a simulator when none runs where `threshold device` looks", async () => {
    const result = await threshold(["device", "list"], { DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `no simulator is running in ${path.join(dataDir, "simulator")} or ${path.join(dataDir, "fleet")}: start \`threshold simulate\` (or \`threshold demo\`), or pass --state-dir`,
    );
  });

  it("says how to start a simulator when no lock listens for keypad input", async () => {
    const result = await threshold(["keypad", "type", "12345678", "--state-dir", dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is `threshold demo` or `threshold simulate` running?");
  });

  it("migrates a new database, then finds it up to date", async () => {
    const first = await threshold(["db", "migrate"], { DATA_DIR: dataDir });
    expect(first.stdout).toMatch(/Applied: .*foundation/);
    const second = await threshold(["db", "migrate"], { DATA_DIR: dataDir });
    expect(second.stdout).toMatch(/up to date/);
  });

  it("stops on bad settings with exit code 2 and every problem listed", async () => {
    const result = await threshold(["db", "migrate"], { PORT: "x", MQTT_URL: "http://broker" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/fix these settings/);
    expect(result.stderr).toMatch(/PORT/);
    expect(result.stderr).toMatch(/MQTT_URL/);
  });

  it("verifies no audit log where there is no database, and creates none", async () => {
    const empty = path.join(dataDir, "no-database-here");
    const result = await threshold(["audit", "verify"], { DATA_DIR: empty });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no database at ${path.join(empty, "threshold.db")}`);
    expect(result.stderr).toContain("set DATA_DIR");
    expect(fs.existsSync(empty)).toBe(false);
  });

  it("says a database without Threshold's tables holds no audit log", async () => {
    const bare = path.join(dataDir, "bare");
    fs.mkdirSync(bare);
    fs.writeFileSync(path.join(bare, "threshold.db"), "");
    const result = await threshold(["audit", "verify"], { DATA_DIR: bare });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("holds no Threshold data");
    expect(result.stderr).toContain("threshold db migrate");
  });

  it("says what to do when there is no key yet", async () => {
    const result = await threshold(["keys", "show"], { DATA_DIR: path.join(dataDir, "nothing-here") });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/created when the server first starts/);
  });

  it("says what to do when a port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const result = await threshold(["serve"], {
        DATA_DIR: path.join(dataDir, "taken"),
        PORT: "0",
        MQTT_PORT: String(port),
        LOG_LEVEL: "silent",
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`port ${port} is already in use.*PORT and MQTT_PORT`));
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it("finds the server on PORT like `threshold serve` does, and names the URL it could not reach", async () => {
    const port = await closedPort();
    const result = await threshold(["courier", "stops"], { PORT: String(port), PUBLIC_URL: "" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`could not reach the server at http://localhost:${port}: `);
    expect(result.stderr).toContain("ECONNREFUSED");
    expect(result.stderr).toContain("Is `threshold serve` (or `npm start`) running? Pass --server <url>.");
  });

  it("prefers PUBLIC_URL to PORT, and --server to both, as the URL it names", async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    const fromPublicUrl = await threshold(["courier", "stops"], { PORT: "1", PUBLIC_URL: `http://127.0.0.1:${a}/` });
    expect(fromPublicUrl.stderr).toContain(`could not reach the server at http://127.0.0.1:${a}: `);
    const fromFlag = await threshold(
      ["keys", "rotate", "--server", `http://127.0.0.1:${b}`, "--email", "o@x", "--password", "p"],
      {
        PUBLIC_URL: `http://127.0.0.1:${a}`,
      },
    );
    expect(fromFlag.code).toBe(1);
    expect(fromFlag.stderr).toContain(`could not reach the server at http://127.0.0.1:${b}: `);
  });

  it("names the server's URL when the simulator cannot reach it to pair", async () => {
    const port = await closedPort();
    const result = await threshold(
      ["simulate", "--locks", "1", "--cameras", "0", "--video", "none", "--state-dir", path.join(dataDir, "sim")],
      { PORT: String(port), PUBLIC_URL: "" },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`could not reach the server at http://localhost:${port}: `);
  });

  it("explains what keys rotate needs", async () => {
    const result = await threshold(["keys", "rotate"], { THRESHOLD_EMAIL: "", THRESHOLD_PASSWORD: "" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/operator login/);
  });

  const simulateOneCamera = async (ffmpegPath: string) => {
    const port = await closedPort();
    const stateDir = fs.mkdtempSync(path.join(dataDir, "sim-"));
    const args = ["simulate", "--locks", "0", "--cameras", "1", "--server", `http://127.0.0.1:${port}`];
    return threshold([...args, "--state-dir", stateDir], { FFMPEG_PATH: ffmpegPath });
  };

  it("says plainly when simulated cameras have no ffmpeg to film with, and why", async () => {
    const missing = path.join(dataDir, "no-such-ffmpeg");
    const result = await simulateOneCamera(missing);
    expect(result.stdout).toContain(
      `Camera video: no ffmpeg found (FFMPEG_PATH is set to "${missing}", but there is no executable file there;`,
    );
    expect(result.stdout).toContain("the cameras send no video, so their doors never open");
  });

  it("says which ffmpeg simulated cameras film with", async () => {
    const result = await simulateOneCamera("");
    expect(result.stdout).toMatch(/^Camera video: ffmpeg \S+ at \S+ \(/m);
  });
});
