import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Database } from "../db/schema.js";
import type { BrokerTransport } from "./broker.js";
import { deviceCredentialsValid } from "./device-credentials.js";
import { startEmbeddedBroker } from "./embedded-broker.js";
import { connectExternalBroker } from "./external-broker.js";

/** The embedded broker unless MQTT_URL names an external one. */
export function startTransport(config: Config, db: Kysely<Database>, log: Logger): Promise<BrokerTransport> {
  if (config.mqtt.url) {
    return connectExternalBroker({
      url: config.mqtt.url,
      username: config.mqtt.username,
      password: config.mqtt.password,
      log,
    });
  }
  return startEmbeddedBroker({
    host: config.mqtt.embeddedHost,
    port: config.mqtt.embeddedPort,
    checkCredentials: (username, password) => deviceCredentialsValid(db, username, password),
    log,
  });
}
