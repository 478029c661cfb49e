import type { VehicleState } from "@threshold/protocol";

/**
 * What a connected-car integration implements so a car can take trunk deliveries
 * (docs/in-car-delivery.md). A car maker's cloud is an edge Threshold cannot reach: a bridge holds
 * the owner's grant at the car maker and implements this; the VehicleAgent on top of it speaks
 * Threshold's protocol (signed commands in, signed acks, events and state out). Every method
 * answers with what the car itself reported, never with what was asked for.
 */
export interface CarMakerAdapter {
  /** The car's last known telemetry: parked or driving, position fix, locks, doors, trunk lid. */
  telemetry(): VehicleState;
  /**
   * Called with every change the car reports (the car maker's push, or a poll). The agent turns
   * each into a signed state report and, where it matters, an event.
   */
  onTelemetry(listener: (state: VehicleState) => void): () => void;
  /**
   * Release the trunk lock only (doors stay locked); resolves with the telemetry once the car
   * confirms it, or rejects when the car did not (asleep, no coverage, refused).
   */
  unlockTrunk(): Promise<VehicleState>;
  /** Lock the whole car; resolves with the telemetry once the car confirms it, rejects otherwise. */
  lock(): Promise<VehicleState>;
}
