import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.js";

const TOKEN = "0123456789abcdef0123";

describe("metrics settings", () => {
  it("are off unless METRICS_PORT is set, and `off` turns them off", () => {
    expect(loadConfig({}).metrics).toBeNull();
    expect(loadConfig({ METRICS_PORT: "off" }).metrics).toBeNull();
  });

  it("listen on loopback by default, with no token needed there", () => {
    expect(loadConfig({ METRICS_PORT: "9884" }).metrics).toEqual({ port: 9884, host: "127.0.0.1", token: null });
    expect(loadConfig({ METRICS_PORT: "9884", METRICS_HOST: "::1" }).metrics?.host).toBe("::1");
  });

  it("refuse to listen beyond loopback without a token", () => {
    expect(() => loadConfig({ METRICS_PORT: "9884", METRICS_HOST: "0.0.0.0" })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_PORT: "9884", METRICS_HOST: "10.0.0.5" })).toThrow(/METRICS_TOKEN: required/);
    expect(loadConfig({ METRICS_PORT: "9884", METRICS_HOST: "0.0.0.0", METRICS_TOKEN: TOKEN }).metrics).toEqual({
      port: 9884,
      host: "0.0.0.0",
      token: TOKEN,
    });
  });

  it("refuse a short token and a port that is not one", () => {
    expect(() => loadConfig({ METRICS_PORT: "9884", METRICS_TOKEN: "short" })).toThrow(/at least 16 characters/);
    expect(() => loadConfig({ METRICS_PORT: "metrics" })).toThrow(/METRICS_PORT/);
  });
});
