import { distanceMeters } from "@threshold/core";
import type { CommandMessage, VehicleState } from "@threshold/protocol";
import { type AgentOptions, type CommandOutcome, DeviceAgent } from "./agent.js";
import type { CarMakerAdapter } from "./vehicle/car-maker-adapter.js";
import { SimulatedCar } from "./vehicle/simulated-car.js";

export interface VehicleAgentOptions extends AgentOptions {
  /** The connected-car integration; a SimulatedCar parked at `position` when left out. */
  car?: CarMakerAdapter;
  /** Where the simulated car is parked at start (ignored when `car` is given). */
  position?: { lat: number; lng: number; accuracyM?: number };
}

/** A parked car whose fix moved this far has been moved (towed, rolled, re-parked): say so. */
const MOVED_EVENT_M = 10;

/**
 * A car, speaking protocol v1 for its maker's connected-car service (docs/in-car-delivery.md).
 * `unlock_trunk` releases the trunk of a parked car, and is refused with `driving` otherwise;
 * `lock` locks the whole car, and fails with `door_open` while the trunk or a door is open. Every
 * change the car reports becomes a signed state, and the ones that matter an event.
 */
export class VehicleAgent extends DeviceAgent<VehicleState> {
  readonly car: CarMakerAdapter;
  private readonly unsubscribe: () => void;

  constructor(options: VehicleAgentOptions) {
    const car = options.car ?? new SimulatedCar({ position: options.position ?? { lat: 0, lng: 0 } });
    super("vehicle", car.telemetry(), options);
    this.car = car;
    this.unsubscribe = car.onTelemetry((next) => this.report(next));
  }

  /** The simulated car behind this agent, for simulations (undefined for a real integration). */
  get simulated(): SimulatedCar | undefined {
    return this.car instanceof SimulatedCar ? this.car : undefined;
  }

  protected override async perform(command: CommandMessage): Promise<CommandOutcome | undefined> {
    switch (command.action) {
      case "unlock_trunk":
        // Checked on the car's own latest report: a car that started driving after the server
        // authorized the visit must not open its trunk (docs/in-car-delivery.md, "Car moved").
        if (this.car.telemetry().drive === "driving") return { status: "failed", reason: "driving" };
        return this.attempt(() => this.car.unlockTrunk(), "trunk.unlocked", command.id);
      case "lock": {
        const now = this.car.telemetry();
        if (now.trunk === "open" || now.doors === "open") return { status: "failed", reason: "door_open" };
        return this.attempt(() => this.car.lock(), "vehicle.locked", command.id);
      }
      default:
        return undefined;
    }
  }

  protected override onStop(): void {
    this.unsubscribe();
  }

  private async attempt(
    action: () => Promise<VehicleState>,
    event: "trunk.unlocked" | "vehicle.locked",
    commandId: string,
  ): Promise<CommandOutcome> {
    try {
      this.report(await action());
    } catch (error) {
      this.log(`${this.identity.name}: the car did not confirm: ${error instanceof Error ? error.message : error}`);
      return { status: "failed" };
    }
    this.emitEvent(event, { by: "command", commandId });
    return { status: "succeeded" };
  }

  /** Publishes the car's report when it changed, with the events a change means. */
  private report(next: VehicleState): void {
    const before = this.state;
    if (JSON.stringify(before) === JSON.stringify(next)) return;
    this.update(next);
    const where = { lat: next.position.lat, lng: next.position.lng };
    if (before.drive !== next.drive)
      this.emitEvent(next.drive === "driving" ? "vehicle.driving" : "vehicle.parked", where);
    else if (distanceMeters(before.position, next.position) >= MOVED_EVENT_M) this.emitEvent("vehicle.moved", where);
    if (before.trunk !== next.trunk) this.emitEvent(next.trunk === "open" ? "trunk.opened" : "trunk.closed");
  }
}
