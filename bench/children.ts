/** The benchmark's processes: the server under test, and child processes with their messages and time limits. */
import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, type ServerHandle, startServer } from "@threshold/server";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** `promise`, or a rejection naming `what` once `ms` have passed. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
    }),
  ]);
}

/** Starts a bench/*.ts child under tsx with an IPC channel; the caller stops it. */
export function startChild(script: string, childArgs: string[]): ChildProcess {
  return fork(path.join(HERE, script), childArgs, {
    execArgv: ["--import", import.meta.resolve("tsx")],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/** Asks a child to stop (`{ type: "stop" }`) and waits for it to exit, killing it after 3 s. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (child.connected) child.send({ type: "stop" });
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
}

/** The next IPC message from `child` that `pick` accepts; rejects if the child exits first. */
export function nextMessage<R, T>(
  child: ChildProcess,
  pick: (m: R) => T | undefined,
  onOther?: (m: R) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: R) => {
      const error = (message as { type?: string; message?: string }).type === "error";
      if (error) {
        done();
        return reject(
          new Error(`child ${path.basename(String(child.spawnfile))}: ${(message as { message?: string }).message}`),
        );
      }
      const value = pick(message);
      if (value !== undefined) {
        done();
        resolve(value);
      } else onOther?.(message);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`a child process exited early (code ${code})`));
    };
    const done = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/**
 * The server under test: the real `startServer(loadConfig(...))` on embedded defaults, on free
 * loopback ports, silent, with its data in `dataDir`; `env` adds or overrides settings.
 */
export function startBenchServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerHandle> {
  return startServer(
    loadConfig({
      DATA_DIR: dataDir,
      HOST: "127.0.0.1",
      PORT: "0",
      MQTT_HOST: "127.0.0.1",
      MQTT_PORT: "0",
      LOG_LEVEL: "silent",
      ...env,
    }),
  );
}
