import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadFleetFile, parseFleet } from "./fleet-file.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "threshold-fleet-file-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("fleet files", () => {
  it("load a valid fleet", async () => {
    const path = join(dir, "fleet.json");
    const fleet = {
      devices: [
        { name: "front-door", kind: "lock", autoRelockS: 30, heartbeatMs: 10_000 },
        { name: "porch", kind: "camera" },
      ],
    };
    await writeFile(path, JSON.stringify(fleet));
    expect(await loadFleetFile(path)).toEqual(fleet);
  });

  it("list everything wrong with a fleet at once", () => {
    const wrong = {
      device: [],
      devices: [
        { name: "front-door", kind: "lock", autoRelockS: 1.5 },
        { name: "front-door", kind: "toaster" },
        { name: "../etc/passwd", kind: "camera", autoRelockS: 10, colour: "red" },
        "porch",
        { name: "ok", kind: "lock", heartbeatMs: 0 },
      ],
    };
    let message = "";
    try {
      parseFleet(wrong, "fleet.json");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "fleet.json is invalid:",
      '- "device" is not a fleet setting (only "devices" is)',
      "- devices[0].autoRelockS must be a whole number of seconds from 0 to 3600",
      '- devices[1].name "front-door" is used twice',
      '- devices[1].kind must be "lock", "camera", "garage_opener", "locker_controller" or "vehicle"',
      "- devices[2].colour is not a device setting",
      '- devices[2].name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
      "- devices[2].autoRelockS applies to locks only",
      "- devices[3] must be an object",
      "- devices[4].heartbeatMs must be a whole number of milliseconds from 100 to 3600000",
    ]);
  });

  it("take a car with where it is parked, and refuse a position anywhere else or off the globe", () => {
    const car = { name: "family-car", kind: "vehicle", position: { lat: 52.374, lng: 4.8922 } };
    expect(parseFleet({ devices: [car] })).toEqual({ devices: [car] });
    let message = "";
    try {
      parseFleet({
        devices: [
          { name: "a", kind: "vehicle", position: { lat: 91, lng: 0 } },
          { name: "b", kind: "lock", position: { lat: 1, lng: 1 } },
          { name: "c", kind: "vehicle", position: { lat: 1, lng: 1, alt: 3 } },
        ],
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n").slice(1)).toEqual([
      '- devices[0].position must be {"lat": -90..90, "lng": -180..180}',
      "- devices[1].position applies to vehicles only",
      '- devices[2].position must be {"lat": -90..90, "lng": -180..180}',
    ]);
  });

  it("refuse an empty fleet and a file that is not JSON", async () => {
    expect(() => parseFleet({ devices: [] })).toThrow('"devices" must be a non-empty list');
    const path = join(dir, "fleet.json");
    await writeFile(path, "devices: []");
    await expect(loadFleetFile(path)).rejects.toThrow(`fleet file ${path} is not valid JSON`);
    await expect(loadFleetFile(join(dir, "missing.json"))).rejects.toThrow(/cannot be read/);
  });
});
