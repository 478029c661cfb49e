import type { Command } from "commander";
import { onShutdown } from "../run.js";

/** Where `threshold serve` offers Prometheus its metrics unless METRICS_PORT says otherwise (`off` turns them off). */
export const SERVE_METRICS_PORT = "9884";

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("Run the Threshold server: HTTP API, device gateway and workers (migrates the database first)")
    .action(async () => {
      const { loadConfig, startServer } = await import("@threshold/server");
      // Metrics on by default here, on loopback; other commands and the tests start servers without them.
      const { lookUpFfmpeg } = await import("@threshold/devices/control");
      const ffmpeg = lookUpFfmpeg(process.env);
      const config = loadConfig({
        ...process.env,
        METRICS_PORT: process.env.METRICS_PORT || SERVE_METRICS_PORT,
        // The server takes the ffmpeg it is given (clip downloads) and never searches for one itself.
        ...(ffmpeg.found ? { FFMPEG_PATH: ffmpeg.path } : {}),
      });
      const server = await startServer(config);
      // Through the logger: every line `serve` writes to stdout is a JSON log line (docs/operations.md, "Logs").
      const log = server.ctx.log;
      log.info(
        { url: server.url, docsUrl: `${server.url}/docs`, mqttUrl: server.ctx.mqttUrl, metricsUrl: server.metricsUrl },
        `Threshold listening on ${server.url}`,
      );
      onShutdown(
        () => server.close(),
        (message) => log.info(message),
      );
    });
}
