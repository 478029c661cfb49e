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

  it("keeps media under DATA_DIR with a 4 MiB segment limit, 10 minutes of live video, 30 days of clips and 10 s pre- and post-rolls", () => {
    const config = loadConfig({ DATA_DIR: "/srv/threshold" });
    expect(config.media).toEqual({
      ffmpegPath: null,
      dir: path.resolve("/srv/threshold/media"),
      maxSegmentBytes: 4 * 1024 * 1024,
      liveRetentionMs: 600_000,
      clipRetentionMs: 30 * 86_400_000,
      staleSlackMs: 1000,
      maxClockSkewMs: 5000,
      clipPrerollMs: 10_000,
      clipPostrollMs: 10_000,
      clipMaxMs: 3_600_000,
    });
    expect(loadConfig({ VIDEO_CLIP_PREROLL_S: "5", VIDEO_CLIP_POSTROLL_S: "0" }).media).toMatchObject({
      clipPrerollMs: 5000,
      clipPostrollMs: 0,
    });
    expect(() => loadConfig({ VIDEO_CLIP_MAX_S: "10" })).toThrow(/VIDEO_CLIP_MAX_S/);
    expect(loadConfig({ FFMPEG_PATH: "/usr/bin/ffmpeg" }).media.ffmpegPath).toBe("/usr/bin/ffmpeg");
    expect(loadConfig({ DATA_DIR: "/srv/threshold", MEDIA_DIR: "/mnt/video" }).media.dir).toBe(
      path.resolve("/mnt/video"),
    );
    expect(() => loadConfig({ MEDIA_MAX_SEGMENT_BYTES: "1000", MEDIA_LIVE_RETENTION_S: "0" })).toThrow(
      /MEDIA_MAX_SEGMENT_BYTES[\s\S]*MEDIA_LIVE_RETENTION_S/,
    );
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
