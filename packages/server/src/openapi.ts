import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { loadConfig } from "./config.js";
import { startServer } from "./server.js";

/**
 * The OpenAPI document as the route schemas define it. It comes from a real, throwaway server
 * (temporary SQLite, ephemeral ports), so what is documented is exactly what is served.
 */
export async function generateOpenApiDocument(): Promise<unknown> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-openapi-"));
  try {
    const config = loadConfig({ DATA_DIR: dataDir, PORT: "0", MQTT_PORT: "0", LOG_LEVEL: "silent" });
    const server = await startServer(config, { log: pino({ level: "silent" }) });
    try {
      await server.app.ready();
      return server.app.swagger();
    } finally {
      await server.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
