import type { Command } from "commander";
import { onShutdown } from "../run.js";

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("Run the Threshold server: HTTP API, device gateway and workers (migrates the database first)")
    .action(async () => {
      const { loadConfig, startServer } = await import("@threshold/server");
      const config = loadConfig();
      const server = await startServer(config);
      console.log(
        `Threshold listening on ${server.url} (API docs at ${server.url}/docs), MQTT at ${server.ctx.mqttUrl}`,
      );
      onShutdown(() => server.close());
    });
}
