import type { VehicleState } from "@threshold/protocol";
import type { CarMakerAdapter } from "./car-maker-adapter.js";

export interface SimulatedCarOptions {
  /** Where the car is parked at start. */
  position: { lat: number; lng: number; accuracyM?: number };
}

/**
 * A car as its maker's cloud would report it, for simulations and tests: parked, locked, closed at
 * start. The methods below the adapter's (drive, park, moveTo, openTrunk…) stand in for the
 * physical world — someone driving off, a courier lifting the lid.
 */
export class SimulatedCar implements CarMakerAdapter {
  private state: VehicleState;
  private readonly listeners = new Set<(state: VehicleState) => void>();

  constructor(options: SimulatedCarOptions) {
    const { lat, lng, accuracyM = 5 } = options.position;
    this.state = {
      drive: "parked",
      position: { lat, lng, accuracyM },
      locks: "locked",
      doors: "closed",
      trunk: "closed",
    };
  }

  telemetry(): VehicleState {
    return structuredClone(this.state);
  }

  onTelemetry(listener: (state: VehicleState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async unlockTrunk(): Promise<VehicleState> {
    // A car being driven keeps its trunk shut whatever the cloud asks (and the agent refuses first).
    if (this.state.drive === "driving") throw new Error("the car is being driven");
    if (this.state.locks === "locked") this.change({ locks: "trunk_unlocked" });
    return this.telemetry();
  }

  async lock(): Promise<VehicleState> {
    if (this.state.trunk === "open" || this.state.doors === "open") throw new Error("a door or the trunk is open");
    this.change({ locks: "locked" });
    return this.telemetry();
  }

  // --- the physical world ---

  /** Someone starts the car and drives off (the position follows with moveTo). */
  drive(): void {
    this.change({ drive: "driving", locks: "locked", trunk: "closed", doors: "closed" });
  }

  /** The car is parked again, where it now is. */
  park(): void {
    this.change({ drive: "parked" });
  }

  /** A new position fix. */
  moveTo(lat: number, lng: number, accuracyM = this.state.position.accuracyM): void {
    this.change({ position: { lat, lng, accuracyM } });
  }

  /** The courier lifts the lid; only a released trunk opens. False when it stayed shut. */
  openTrunk(): boolean {
    if (this.state.locks === "locked" || this.state.drive === "driving") return false;
    this.change({ trunk: "open" });
    return true;
  }

  closeTrunk(): void {
    this.change({ trunk: "closed" });
  }

  openDoor(): void {
    this.change({ doors: "open" });
  }

  closeDoor(): void {
    this.change({ doors: "closed" });
  }

  private change(patch: Partial<VehicleState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.telemetry());
  }
}
