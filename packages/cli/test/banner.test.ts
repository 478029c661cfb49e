import path from "node:path";
import { describe, expect, it } from "vitest";
import { type CameraVideo, cameraVideoOf } from "../src/camera-video.js";
import { DEMO_ACCOUNTS } from "../src/demo/accounts.js";
import { bannerText } from "../src/demo/banner.js";

const SYSTEM_FFMPEG: CameraVideo = {
  ffmpeg: true,
  path: "/usr/bin/ffmpeg",
  source: "PATH",
  version: "5.1.9-0+deb12u1",
};

const INFO = {
  mqttUrl: "mqtt://localhost:1884",
  apiKey: "thk_demo",
  siteId: "sit_demo",
  shipments: { ready: "TH1", later: "TH2", trunk: "TH3" },
  bankId: "lkb_demo",
  lockerParcel: "LK1",
  video: SYSTEM_FFMPEG,
};

const commandLines = (text: string, command: string) =>
  text.split("\n").filter((line) => line.trim().startsWith(`npx threshold ${command} `));

describe("the demo banner", () => {
  it("prints CLI commands that reach a server on another port and a fleet in another data directory", () => {
    const dataDir = "/srv/demo-data";
    const text = bannerText({ ...INFO, url: "http://localhost:9191", dataDir });
    const courier = commandLines(text, "courier");
    const car = commandLines(text, "car");
    const keypad = commandLines(text, "keypad");
    expect(courier.length).toBeGreaterThanOrEqual(3);
    expect(car.length).toBeGreaterThanOrEqual(2);
    expect(keypad.length).toBeGreaterThanOrEqual(1);
    for (const line of courier) expect(line).toContain("--server http://localhost:9191");
    for (const line of [...car, ...keypad]) expect(line).toContain(`--state-dir ${path.join(dataDir, "fleet")}`);
  });

  it("keeps the commands short when the server and data directory are the defaults", () => {
    const text = bannerText({ ...INFO, url: "http://localhost:8080", dataDir: path.resolve("data") });
    expect(text).not.toContain("--server");
    expect(text).not.toContain("--state-dir");
  });

  it("calls each account what the sign-in page calls it (the title GET /v1/demo serves)", () => {
    const text = bannerText({ ...INFO, url: "http://localhost:8080", dataDir: path.resolve("data") });
    const lines = text.split("\n");
    for (const account of Object.values(DEMO_ACCOUNTS)) {
      const line = lines.find((l) => l.includes(account.email));
      expect(line?.trim().startsWith(`${account.title} `), `${account.email}: ${line}`).toBe(true);
    }
    expect(lines.find((l) => l.includes(DEMO_ACCOUNTS.resident.email))).toMatch(/^\s+Resident\s/);
  });
});

describe("the demo banner on the camera's ffmpeg", () => {
  const DEFAULTS = { ...INFO, url: "http://localhost:8080", dataDir: path.resolve("data") };
  it("names the ffmpeg the camera films with, its version and where it came from", () => {
    const text = bannerText(DEFAULTS);
    expect(text).toContain("Camera video ffmpeg 5.1.9-0+deb12u1 at /usr/bin/ffmpeg (the system's, found on PATH)");
    const bundled = bannerText({
      ...DEFAULTS,
      video: {
        ffmpeg: true,
        path: "/app/node_modules/@ffmpeg-installer/linux-x64/ffmpeg",
        source: "bundled",
        version: "N-47683",
      },
    });
    expect(bundled).toMatch(
      /ffmpeg N-47683 at \/app\/node_modules\/@ffmpeg-installer\/linux-x64\/ffmpeg \(the one npm installed/,
    );
    expect(text).toContain("checks every rule, camera records, door unlocks");
    expect(text).not.toContain("NO CAMERA VIDEO");
  });

  it("says plainly, without ffmpeg, what does not work and how to fix it, and promises no recording", () => {
    const video = cameraVideoOf(
      {
        found: false,
        problems: [
          "FFMPEG_PATH is unset",
          "there is no ffmpeg on PATH",
          "the bundled @ffmpeg-installer/ffmpeg is not installed",
        ],
      },
      () => "never asked",
    );
    const text = bannerText({ ...DEFAULTS, video });
    expect(text).toContain(
      "NO CAMERA VIDEO: no ffmpeg found (FFMPEG_PATH is unset; there is no ffmpeg on PATH; the bundled @ffmpeg-installer/ffmpeg is not installed).",
    );
    expect(text).toContain("refused with camera_not_live");
    expect(text).toContain("sudo apt-get install ffmpeg");
    expect(text).toContain("brew install ffmpeg");
    expect(text).toContain("FFMPEG_PATH");
    expect(text).not.toContain("camera records");
    expect(commandLines(text, "courier").find((line) => line.includes("scan TH1"))).toContain(
      "refused without ffmpeg: camera_not_live",
    );
  });
});
