import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("has working defaults: port 8080, embedded SQLite under ./data, embedded broker off 1883", () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBeNull();
    expect(config.sqlitePath).toBe(path.resolve("data/threshold.db"));
    expect(config.mqtt.url).toBeNull();
    expect(config.mqtt.embeddedPort).not.toBe(1883);
    expect(config.commandTtlMs).toBeLessThanOrEqual(30_000);
  });

  it("reads PostgreSQL and an external broker when configured", () => {
    const config = loadConfig({ DATABASE_URL: "postgres://u:p@db/threshold", MQTT_URL: "mqtts://broker:8883" });
    expect(config.databaseUrl).toBe("postgres://u:p@db/threshold");
    expect(config.mqtt.url).toBe("mqtts://broker:8883");
  });

  it("lists every bad setting at once", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", MQTT_URL: "::", COMMAND_TTL_S: "60", LOG_LEVEL: "loud" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join("\n")).toMatch(/PORT.*whole number/);
    expect(problems.join("\n")).toMatch(/COMMAND_TTL_S.*1 to 30/);
    expect((error as ConfigError).message).toMatch(/fix these settings/);
  });
});
