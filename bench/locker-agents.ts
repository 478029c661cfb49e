/**
 * Child process of the lockers benchmark: runs every bank's real LockerControllerAgent (protocol
 * v1 over sockets) against the server's broker, on the machine's second core, with simulated
 * hands: when a compartment opens, an empty one gets a parcel and an occupied one is emptied, and
 * the door is shut at once. The baseline controller gets no hands (its doors just open).
 *
 *   node --import tsx bench/locker-agents.ts <agents.json>
 *
 * Sends { type: "ready" } once every controller is connected; exits on { type: "stop" }.
 */
import { readFileSync } from "node:fs";
import { type DeviceIdentity, LockerControllerAgent } from "@threshold/devices";

interface AgentsFile {
  controllers: DeviceIdentity[];
  baseline: DeviceIdentity;
  compartments: number;
}

const file = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as AgentsFile;
const log = (line: string) => process.stderr.write(`[locker-agents] ${line}\n`);
const agents: LockerControllerAgent[] = [];

const start = async (identity: DeviceIdentity, hands: boolean) => {
  const agent = new LockerControllerAgent({ identity, compartments: file.compartments, heartbeatMs: 60_000, log });
  if (hands) {
    agent.onEvent((event) => {
      if (event.type !== "compartment.opened") return;
      const n = Number(event.data.compartment);
      // Hands take a moment to reach in; the next tick is enough to order the events as a person would.
      setImmediate(() => {
        const c = agent.state.compartments.find((x) => x.n === n);
        if (c?.door !== "open") return;
        if (c.occupied) agent.takeParcel(n);
        else agent.putParcel(n);
        agent.closeDoor(n);
      });
    });
  }
  await agent.start();
  agents.push(agent);
};

for (let i = 0; i < file.controllers.length; i += 20) {
  await Promise.all(file.controllers.slice(i, i + 20).map((identity) => start(identity, true)));
}
await start(file.baseline, false);
process.send?.({ type: "ready" });
process.on("message", async (message: { type?: string }) => {
  if (message.type !== "stop") return;
  await Promise.all(agents.map((agent) => agent.stop()));
  process.exit(0);
});
process.on("disconnect", () => process.exit(0));
