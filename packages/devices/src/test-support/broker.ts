import net, { type AddressInfo } from "node:net";
import { Aedes, type AedesOptions } from "aedes";

export interface TestBroker {
  url: string;
  broker: Aedes;
  close(): Promise<void>;
}

/** A real aedes broker on a loopback port chosen by the OS, with Nagle off like production (DESIGN.md section 10). */
export async function startBroker(options: AedesOptions = {}): Promise<TestBroker> {
  const broker = await Aedes.createBroker(options);
  const server = net.createServer({ noDelay: true }, broker.handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    broker,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
