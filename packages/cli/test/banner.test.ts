import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_ACCOUNTS } from "../src/demo/accounts.js";
import { bannerText } from "../src/demo/banner.js";

const INFO = {
  mqttUrl: "mqtt://localhost:1884",
  apiKey: "thk_demo",
  siteId: "sit_demo",
  shipments: { ready: "TH1", later: "TH2", trunk: "TH3" },
  bankId: "lkb_demo",
  lockerParcel: "LK1",
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
