import net from "node:net";
import type { AppContext } from "../context.js";

/** Polls `check` until it holds; fails the test with `what` when it does not within the time. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A TCP port free on loopback right now, for a server that must keep its port across a restart. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits until the gateway has recorded `deviceId` as connected (or, with `online` false, as gone). */
export function untilDeviceOnline(
  server: { ctx: Pick<AppContext, "db"> },
  deviceId: string,
  online: boolean,
  timeoutMs = 15_000,
): Promise<void> {
  return until(
    async () =>
      (await server.ctx.db.selectFrom("devices").select("online").where("id", "=", deviceId).executeTakeFirstOrThrow())
        .online === (online ? 1 : 0),
    timeoutMs,
    `device ${online ? "online" : "offline"}`,
  );
}
