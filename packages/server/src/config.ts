import path from "node:path";
import { fileURLToPath } from "node:url";

/** Everything the server reads from its environment, validated once at start (DESIGN.md habit 5). */
export interface Config {
  port: number;
  host: string;
  /** Behind a reverse proxy, take the client address from X-Forwarded-For (rate limits are per address). */
  trustProxy: boolean;
  dataDir: string;
  /** Unset means the embedded SQLite file under dataDir. */
  databaseUrl: string | null;
  sqlitePath: string;
  mqtt: {
    /** Unset means the embedded broker. */
    url: string | null;
    username: string | null;
    password: string | null;
    embeddedHost: string;
    embeddedPort: number;
    /** MQTT_PUBLIC_URL: what devices are told at pairing, when it differs from the broker's own URL. */
    publicUrl: string | null;
  };
  signingKeyDir: string;
  /** The built web app (packages/web/dist) served at `/`; the API and /docs stay where they are. */
  webDir: string;
  publicUrl: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /**
   * The Prometheus endpoint (`GET /metrics`, docs/operations.md): a listener of its own, never on
   * the public port. Null when METRICS_PORT is unset or `off` (`threshold serve` turns it on).
   */
  metrics: {
    port: number;
    /** METRICS_HOST: loopback unless METRICS_TOKEN is set. */
    host: string;
    /** METRICS_TOKEN: when set, a scrape must send `Authorization: Bearer <token>`. */
    token: string | null;
  } | null;
  sessionTtlMs: number;
  commandTtlMs: number;
  deviceHeartbeatMs: number;
  /**
   * DEVICE_MAX_CLOCK_SKEW_S: how far a device message's `at` may be from the server's clock, either
   * way. A state report outside it is refused (a replay, or a device whose clock is wrong); so is an
   * event or ack from further in the future.
   */
  deviceMaxClockSkewMs: number;
  pairingTtlMs: number;
  /** How long a courier has from the door opening to securing it before an incident is raised. */
  visitMaxOpenMs: number;
  /** How often an open incident's lock (or garage door) is told again to lock (or close). */
  incidentRetryMs: number;
  /** Fridges and coolers (docs/garage-and-fridge.md). */
  fridge: {
    /** Warmer than this (°C) during or after a visit raises a fridge_warm incident. */
    maxTemperatureC: number;
    /** How long after a visit the fridge is watched for warming or being left open. */
    watchAfterVisitMs: number;
  };
  /** Cars and their trunks (docs/in-car-delivery.md); defaults are Amazon's in-car limits. */
  car: {
    /** TRUNK_MAX_WEIGHT_G: the heaviest parcel a trunk takes; a car's owner may set less, never more. */
    maxWeightG: number;
    /** TRUNK_MAX_VALUE_CENTS: the most valuable parcel a trunk takes. */
    maxValueCents: number;
    /** CAR_MAX_DISTANCE_M: how far from the delivery address the car may be parked. */
    maxDistanceFromAddressM: number;
    /** COURIER_CAR_MAX_DISTANCE_M: how close to the car the courier must be at the scan. */
    courierMaxDistanceM: number;
    /** CAR_MOVED_M: a car whose fix moves this far during a visit raises an incident. */
    movedIncidentM: number;
  };
  webhooks: {
    /** WEBHOOK_ALLOW_HTTP_LOOPBACK: accept http:// endpoints on loopback and deliver to loopback addresses (tests, local demos). */
    allowHttpLoopback: boolean;
    /** How often the webhook workers look for new audit events and due deliveries when nothing wakes them. */
    pollMs: number;
    /** How long one delivery attempt may take, from connecting to reading the response. */
    timeoutMs: number;
  };
  /** Camera video: where segments are kept, how big they may be, how long they stay, when a camera counts as live. */
  media: {
    /**
     * FFMPEG_PATH: the ffmpeg that remuxes a clip into one MP4 download; null when none was given.
     * `threshold serve` and `threshold demo` fill it in from the same lookup the cameras use
     * (FFMPEG_PATH, else ffmpeg on PATH, else the bundled one), so the server never searches itself.
     */
    ffmpegPath: string | null;
    /** MEDIA_DIR: the directory media store's root (default DATA_DIR/media). */
    dir: string;
    /** Largest segment upload accepted; larger ones are refused (413 segment_too_large) before they are stored. */
    maxSegmentBytes: number;
    /** Segments that witness no visit are deleted after this long (the live buffer). */
    liveRetentionMs: number;
    /** Segments of a visit (its clip) are deleted after this long. */
    clipRetentionMs: number;
    /** A camera is live while its newest segment arrived no longer ago than 2 segment durations plus this. */
    staleSlackMs: number;
    /** How far in the future (by the server's clock) a segment's capture time may be. */
    maxClockSkewMs: number;
    /** A visit's clip starts this long before its authorization… */
    clipPrerollMs: number;
    /** …and ends this long after the visit ended. */
    clipPostrollMs: number;
    /** The longest clip: an incident nobody ends does not record for ever. */
    clipMaxMs: number;
  };
}

/** Where `npm run build -w @threshold/web` writes the app, relative to this package. */
const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../web/dist", import.meta.url));

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Threshold cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws a ConfigError listing every problem at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const dataDir = path.resolve(read.string("DATA_DIR", "./data"));
  const port = read.port("PORT", 8080);
  const embeddedPort = read.port("MQTT_PORT", 1884);
  const embeddedHost = read.string("MQTT_HOST", "127.0.0.1");
  const databaseUrl = read.optionalUrl("DATABASE_URL", ["postgres:", "postgresql:"]);
  const mqttUrl = read.optionalUrl("MQTT_URL", ["mqtt:", "mqtts:", "tcp:", "ssl:"]);
  const publicUrl = (read.optionalUrl("PUBLIC_URL", ["http:", "https:"]) ?? `http://localhost:${port}`).replace(
    /\/$/,
    "",
  );
  const commandTtlS = read.integer("COMMAND_TTL_S", 10, 1, 30);
  const logLevel = read.oneOf("LOG_LEVEL", "info", [
    "fatal",
    "error",
    "warn",
    "info",
    "debug",
    "trace",
    "silent",
  ] as const);

  const config: Config = {
    port,
    host: read.string("HOST", "127.0.0.1"),
    trustProxy: read.oneOf("TRUST_PROXY", "false", ["true", "false"] as const) === "true",
    dataDir,
    databaseUrl,
    sqlitePath: path.join(dataDir, "threshold.db"),
    mqtt: {
      url: mqttUrl,
      username: env.MQTT_USERNAME || null,
      password: env.MQTT_PASSWORD || null,
      embeddedHost,
      embeddedPort,
      publicUrl: read.optionalUrl("MQTT_PUBLIC_URL", ["mqtt:", "mqtts:", "tcp:", "ssl:"]),
    },
    signingKeyDir: path.resolve(read.string("SIGNING_KEY_DIR", path.join(dataDir, "keys"))),
    webDir: path.resolve(read.string("WEB_DIR", DEFAULT_WEB_DIR)),
    publicUrl,
    logLevel,
    metrics: readMetrics(read, env, problems),
    sessionTtlMs: read.integer("SESSION_TTL_HOURS", 12, 1, 24 * 30) * 3_600_000,
    commandTtlMs: commandTtlS * 1000,
    deviceHeartbeatMs: read.integer("DEVICE_HEARTBEAT_S", 30, 5, 3600) * 1000,
    deviceMaxClockSkewMs: read.integer("DEVICE_MAX_CLOCK_SKEW_S", 30, 1, 600) * 1000,
    pairingTtlMs: read.integer("PAIRING_TTL_S", 600, 60, 3600) * 1000,
    visitMaxOpenMs: read.integer("VISIT_MAX_OPEN_S", 300, 10, 3600) * 1000,
    incidentRetryMs: read.integer("INCIDENT_RETRY_S", 30, 1, 3600) * 1000,
    fridge: {
      maxTemperatureC: read.integer("FRIDGE_MAX_TEMPERATURE_C", 8, -30, 30),
      watchAfterVisitMs: read.integer("FRIDGE_WATCH_AFTER_VISIT_S", 3600, 60, 7 * 86_400) * 1000,
    },
    car: {
      maxWeightG: read.integer("TRUNK_MAX_WEIGHT_G", 22_679, 100, 100_000),
      maxValueCents: read.integer("TRUNK_MAX_VALUE_CENTS", 130_000, 0, 100_000_000),
      maxDistanceFromAddressM: read.integer("CAR_MAX_DISTANCE_M", 300, 10, 5_000),
      courierMaxDistanceM: read.integer("COURIER_CAR_MAX_DISTANCE_M", 50, 5, 500),
      movedIncidentM: read.integer("CAR_MOVED_M", 25, 5, 1_000),
    },
    webhooks: {
      allowHttpLoopback: read.oneOf("WEBHOOK_ALLOW_HTTP_LOOPBACK", "false", ["true", "false"] as const) === "true",
      pollMs: read.integer("WEBHOOK_POLL_MS", 1000, 10, 60_000),
      timeoutMs: read.integer("WEBHOOK_TIMEOUT_S", 10, 1, 30) * 1000,
    },
    media: {
      ffmpegPath: read.string("FFMPEG_PATH", "") || null,
      dir: path.resolve(read.string("MEDIA_DIR", path.join(dataDir, "media"))),
      maxSegmentBytes: read.integer("MEDIA_MAX_SEGMENT_BYTES", 4 * 1024 * 1024, 64 * 1024, 64 * 1024 * 1024),
      liveRetentionMs: read.integer("MEDIA_LIVE_RETENTION_S", 600, 60, 7 * 86_400) * 1000,
      clipRetentionMs: read.integer("MEDIA_CLIP_RETENTION_DAYS", 30, 1, 3650) * 86_400_000,
      staleSlackMs: read.integer("VIDEO_STALE_SLACK_MS", 1000, 0, 60_000),
      maxClockSkewMs: read.integer("VIDEO_MAX_CLOCK_SKEW_MS", 5000, 0, 600_000),
      clipPrerollMs: read.integer("VIDEO_CLIP_PREROLL_S", 10, 0, 300) * 1000,
      clipPostrollMs: read.integer("VIDEO_CLIP_POSTROLL_S", 10, 0, 300) * 1000,
      clipMaxMs: read.integer("VIDEO_CLIP_MAX_S", 3600, 60, 86_400) * 1000,
    },
  };
  if (mqttUrl && (env.MQTT_USERNAME ? !env.MQTT_PASSWORD : false)) {
    problems.push("MQTT_PASSWORD: required when MQTT_USERNAME is set");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Metrics leave the machine only with a token: business volume and error rates are nobody else's. */
const METRICS_TOKEN_MIN_LENGTH = 16;

function readMetrics(read: EnvReader, env: Env, problems: string[]): Config["metrics"] {
  const rawPort = env.METRICS_PORT;
  if (rawPort === undefined || rawPort === "" || rawPort === "off") return null;
  const port = read.port("METRICS_PORT", 0);
  const host = read.string("METRICS_HOST", "127.0.0.1");
  const token = env.METRICS_TOKEN || null;
  if (token !== null && token.length < METRICS_TOKEN_MIN_LENGTH) {
    problems.push(`METRICS_TOKEN: must be at least ${METRICS_TOKEN_MIN_LENGTH} characters (use a random one)`);
  }
  if (token === null && !isLoopbackHost(host)) {
    problems.push(
      `METRICS_TOKEN: required when METRICS_HOST (${host}) is not a loopback address, or anyone who reaches it reads the metrics`,
    );
  }
  return { port, host, token };
}

function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  string(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value === "" ? fallback : value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name}: "${raw}" must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  port(name: string, fallback: number): number {
    return this.integer(name, fallback, 0, 65535);
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.env[name];
    if (raw === undefined || raw === "") return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}: "${raw}" must be one of ${allowed.join(", ")}`);
    return fallback;
  }

  optionalUrl(name: string, protocols: string[]): string | null {
    const raw = this.env[name];
    if (raw === undefined || raw === "") return null;
    try {
      const url = new URL(raw);
      if (!protocols.includes(url.protocol)) {
        this.problems.push(
          `${name}: "${url.protocol}//" is not supported; use ${protocols.map((p) => `${p}//`).join(", ")}`,
        );
        return null;
      }
      return raw;
    } catch {
      this.problems.push(`${name}: "${raw}" is not a URL`);
      return null;
    }
  }
}
