import type { Clock, Role } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { AuditLog } from "./audit/audit-log.js";
import type { CommandService } from "./commands/command-service.js";
import type { Config } from "./config.js";
import type { Storage } from "./db/database.js";
import type { Database } from "./db/schema.js";
import type { DeviceGateway } from "./gateway/gateway.js";
import type { Authenticator } from "./http/actor.js";
import type { ServerMetrics } from "./metrics/index.js";
import type { Keyring } from "./modules/keys/keyring.js";
import type { SecretBox } from "./modules/keys/secret-box.js";

/** What the broker side reports about itself for /health. */
export interface BrokerStatus {
  status(): { ok: boolean; mode: "embedded" | "external"; detail?: string };
}

/** The device side of the gateway, as modules see it. */
export interface DeviceLink {
  /** Drops a device's broker connection at once (after its credentials are revoked). */
  disconnect(deviceId: string): void;
}

/** The services every module may use; built once by the composition root (server.ts) or a test. */
export interface AppContext {
  config: Config;
  storage: Storage;
  db: Kysely<Database>;
  clock: Clock;
  /** When this server process started, on `clock`: nothing sent to it while it was down could reach it before. */
  startedAt: number;
  log: Logger;
  authenticator: Authenticator;
  broker: BrokerStatus;
  keyring: Keyring;
  /** Seals secrets the server must read again (pairing secrets, one-time PINs); its key lives beside the signing keys. */
  secrets: SecretBox;
  deviceLink: DeviceLink;
  commands: CommandService;
  /** The hash-chained audit log; record every state change through it. */
  audit: AuditLog;
  gateway: DeviceGateway;
  /** Where devices reach the broker: MQTT_PUBLIC_URL, else the external broker, else the embedded one's actual address. */
  mqttUrl: string;
  /** Demo logins to show on the sign-in page; null on every server but `threshold demo`. */
  demo: DemoLogins | null;
  /** The demo's simulated keypads (POST /v1/demo/keypad); null on every server but `threshold demo`. */
  demoKeypad: DemoKeypad | null;
  /** The demo's simulated locker controllers (POST /v1/demo/locker); null on every server but `threshold demo`. */
  demoLocker?: DemoLocker | null;
  /** This server's Prometheus metrics (docs/operations.md); the HTTP app reports its requests to it. */
  metrics: ServerMetrics;
}

/**
 * What hands do at a demo locker bank: put a parcel into an open compartment, take it out, close
 * the door. False when the demo runs no controller with that id or the compartment is not open.
 */
export type DemoLocker = (deviceId: string, compartment: number, action: "put" | "take" | "close") => Promise<boolean>;

/**
 * Types a code on the keypad of one of the demo's simulated locks, as fingers would; null when the
 * demo runs no lock with that id. The demo's fleet lives in the same process as its server.
 */
export type DemoKeypad = (deviceId: string, code: string) => Promise<DemoKeypadVerdict | null>;

/** What the keypad did: opened, refused (counting towards the lockout), refused unread while locked out, or "not now" for a guest key outside its hours. */
export type DemoKeypadVerdict =
  | { result: "opened" }
  | { result: "refused"; wrongInARow: number; lockedOut: boolean }
  | { result: "locked_out"; untilMs: number }
  /** A guest key typed outside its hours: not counted. */
  | { result: "not_now"; codeId: string };

export interface DemoLogins {
  password: string;
  /** `title`: what the demo calls the account (its banner and sign-in page alike), e.g. "Resident" for a recipient. */
  accounts: { email: string; name: string; role: Role; title?: string }[];
}
