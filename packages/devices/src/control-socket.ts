import { chmod, rm } from "node:fs/promises";
import net from "node:net";

/** A request line longer than this is not a control request: the connection is dropped. */
const MAX_REQUEST_BYTES = 4096;

/**
 * How the CLI reaches a running fleet's simulated devices (keypads, cars): a Unix socket, mode
 * 0600 so only the user running the fleet can use it, that takes one JSON line and answers one.
 */
export async function startControlSocket(
  path: string,
  answer: (line: string) => unknown | Promise<unknown>,
): Promise<{ close(): Promise<void> }> {
  await rm(path, { force: true });
  const server = net.createServer((socket) => {
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_REQUEST_BYTES) socket.destroy();
      const newline = buffer.indexOf("\n");
      if (newline < 0) return;
      Promise.resolve()
        .then(() => answer(buffer.slice(0, newline)))
        .then(
          (reply) => socket.end(`${JSON.stringify(reply)}\n`),
          (error: unknown) => socket.end(`${JSON.stringify({ ok: false, error: String(error) })}\n`),
        );
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }).then(() => rm(path, { force: true })),
  };
}

/** Nothing listens at a control socket's path: no simulator runs there (or one crashed and left the file). */
export class ControlSocketUnreachable extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "ControlSocketUnreachable";
  }
}

/** Sends one request to the control socket at `path`; `devices` names what listens there, for the error. */
export function requestControl<Answer>(path: string, request: unknown, devices: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(path);
    let reply = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk: string) => {
      reply += chunk;
    });
    socket.on("end", () => {
      try {
        resolve(JSON.parse(reply) as Answer);
      } catch {
        reject(new Error("the simulator sent no answer"));
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT" || error.code === "ECONNREFUSED"
          ? new ControlSocketUnreachable(
              path,
              `no simulated ${devices} are listening at ${path}; is \`threshold demo\` or \`threshold simulate\` running?`,
            )
          : error,
      );
    });
  });
}
