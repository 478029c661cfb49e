import { CameraAgent, type CameraAgentOptions } from "../camera-agent.js";
import { GarageOpenerAgent, type GarageOpenerAgentOptions } from "../garage-opener-agent.js";
import type { AgentKind } from "../identity.js";
import { LockAgent, type LockAgentOptions } from "../lock-agent.js";
import { LockerControllerAgent, type LockerControllerAgentOptions } from "../locker-controller-agent.js";
import { VehicleAgent, type VehicleAgentOptions } from "../vehicle-agent.js";
import type { TestBroker } from "./broker.js";
import { makeTestDevice, type TestDevice } from "./identities.js";
import { TestGateway } from "./test-gateway.js";

type Optional<T> = Partial<Omit<T, "identity">>;

export interface Running<A> {
  agent: A;
  gateway: TestGateway;
  device: TestDevice;
  /** What the agent logged; tests keep the console quiet and can assert on it. */
  logs: string[];
}

/** Starts agents with a gateway listening on their topics, and stops everything it started. */
export class TestBench {
  private readonly cleanups: (() => Promise<void>)[] = [];

  constructor(private readonly broker: TestBroker) {}

  lock(options: Optional<LockAgentOptions> = {}): Promise<Running<LockAgent>> {
    return this.start(
      "lock",
      (device, log) => new LockAgent({ heartbeatMs: 60_000, log, ...options, identity: device.identity }),
    );
  }

  camera(options: Optional<CameraAgentOptions> = {}): Promise<Running<CameraAgent>> {
    return this.start(
      "camera",
      (device, log) => new CameraAgent({ heartbeatMs: 60_000, log, ...options, identity: device.identity }),
    );
  }

  garageOpener(options: Optional<GarageOpenerAgentOptions> = {}): Promise<Running<GarageOpenerAgent>> {
    return this.start(
      "garage_opener",
      (device, log) => new GarageOpenerAgent({ heartbeatMs: 60_000, log, ...options, identity: device.identity }),
    );
  }

  lockerController(
    options: Optional<LockerControllerAgentOptions> & { compartments: number },
  ): Promise<Running<LockerControllerAgent>> {
    return this.start(
      "locker_controller",
      (device, log) => new LockerControllerAgent({ heartbeatMs: 60_000, log, ...options, identity: device.identity }),
    );
  }

  vehicle(options: Optional<VehicleAgentOptions> = {}): Promise<Running<VehicleAgent>> {
    return this.start(
      "vehicle",
      (device, log) => new VehicleAgent({ heartbeatMs: 60_000, log, ...options, identity: device.identity }),
    );
  }

  /** Registers something to undo after the test, undone in reverse order. */
  defer(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async cleanup(): Promise<void> {
    for (let cleanup = this.cleanups.pop(); cleanup; cleanup = this.cleanups.pop()) await cleanup();
  }

  private async start<A extends LockAgent | CameraAgent | GarageOpenerAgent | LockerControllerAgent | VehicleAgent>(
    kind: AgentKind,
    create: (device: TestDevice, log: (line: string) => void) => A,
  ): Promise<Running<A>> {
    const device = makeTestDevice(kind, this.broker.url);
    const gateway = await TestGateway.connect(this.broker.url, device);
    this.defer(() => gateway.close());
    const logs: string[] = [];
    const agent = create(device, (line) => logs.push(line));
    this.defer(() => agent.stop());
    await agent.start();
    await gateway.waitForState((state) => state.online);
    return { agent, gateway, device, logs };
  }
}
