import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./wait.js";

export interface TestMosquitto {
  url: string;
  /** Adds or replaces a user and makes the running broker reload its password file. */
  addUser(username: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

/** The ACL documented in docs/operations.md: devices own their topics, the server account reads and commands. */
export function mosquittoAcl(serverUser: string): string {
  return [
    `user ${serverUser}`,
    "topic write th/v1/d/+/cmd",
    "topic read th/v1/d/+/ack",
    "topic read th/v1/d/+/evt",
    "topic read th/v1/d/+/state",
    "",
    "pattern read th/v1/d/%u/cmd",
    "pattern write th/v1/d/%u/ack",
    "pattern write th/v1/d/%u/evt",
    "pattern write th/v1/d/%u/state",
    "",
  ].join("\n");
}

/** A private Mosquitto (Debian's package) on a free loopback port, with passwords and the ACL above. */
export async function startMosquitto(serverUser: string, serverPassword: string): Promise<TestMosquitto> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-mosquitto-"));
  const port = await freePort();
  const passwordFile = path.join(dir, "passwd");
  execFileSync("mosquitto_passwd", ["-c", "-b", passwordFile, serverUser, serverPassword]);
  fs.writeFileSync(path.join(dir, "acl"), mosquittoAcl(serverUser));
  fs.writeFileSync(
    path.join(dir, "mosquitto.conf"),
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous false",
      `password_file ${passwordFile}`,
      `acl_file ${path.join(dir, "acl")}`,
      "persistence false",
      "set_tcp_nodelay true",
      // Run as whoever runs the tests (CI runs as root; Mosquitto would otherwise switch users and lose the files).
      `user ${os.userInfo().username}`,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn("mosquitto", ["-c", path.join(dir, "mosquitto.conf")], { stdio: "ignore" });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("mosquitto did not start (is it installed?)");
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    addUser: async (username, password) => {
      execFileSync("mosquitto_passwd", ["-b", passwordFile, username, password]);
      child.kill("SIGHUP");
      await new Promise((r) => setTimeout(r, 200));
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
