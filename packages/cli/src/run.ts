import type { Command } from "commander";

/** Exit codes: 1 a failure, 2 a configuration or usage problem the user can fix. */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // By name, not instanceof: a command loads the server only when it runs one (fast --help).
    if (error instanceof Error && error.name === "ConfigError") {
      console.error(error.message);
      process.exit(2);
    }
    const failure = error as NodeJS.ErrnoException & { port?: number };
    if (failure.code === "EADDRINUSE") {
      console.error(
        `threshold: port ${failure.port ?? ""} is already in use — is another Threshold running? Stop it, or choose other ports with PORT and MQTT_PORT (and METRICS_PORT).`,
      );
      process.exit(1);
    }
    console.error(`threshold: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

/** Stops `stop` on Ctrl-C or SIGTERM, once; a second Ctrl-C exits at once. `say` tells the user (a log line under `serve`). */
export function onShutdown(
  stop: () => Promise<void>,
  say: (message: string) => void = (m) => console.log(`\n${m}`),
): void {
  let stopping = false;
  const handler = () => {
    if (stopping) process.exit(130);
    stopping = true;
    say("Stopping…");
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
