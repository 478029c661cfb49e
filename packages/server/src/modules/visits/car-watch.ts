import { distanceMeters } from "@threshold/core";
import type { StateMessage } from "@threshold/protocol";
import type { AppContext } from "../../context.js";
import { VisitService } from "./service.js";

/**
 * Watches cars while their trunk is open for a courier (docs/in-car-delivery.md, "Car moved"). A car
 * that starts driving, or whose position fix moves more than CAR_MOVED_M from where it stood at the
 * authorization, during an open (or securing) visit raises a `car_moved` incident: the recipient and
 * the carrier hear of it at once, as for any incident. Before the trunk opens no incident is needed:
 * the unlock is cancelled (the guard in VisitService.open, and the car itself refuses while driving).
 * Reports are handled one at a time, in arrival order.
 */
export class CarWatch {
  private queue: Promise<void> = Promise.resolve();
  private readonly visits: VisitService;
  private readonly listener = (message: StateMessage) => {
    if (message.kind !== "vehicle" || !message.online || !("drive" in message.state)) return;
    this.queue = this.queue
      .then(() => this.check(message))
      .catch((err: unknown) => this.ctx.log.error({ err, deviceId: message.deviceId }, "car report not checked"));
  };

  constructor(private readonly ctx: AppContext) {
    this.visits = new VisitService(ctx);
  }

  start(): void {
    this.ctx.gateway.on("deviceState", this.listener);
  }

  async stop(): Promise<void> {
    this.ctx.gateway.off("deviceState", this.listener);
    await this.queue;
  }

  /** Resolves once every report received so far is checked (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async check(message: StateMessage): Promise<void> {
    const state = message.state;
    if (!("drive" in state)) return;
    const visits = await this.ctx.db
      .selectFrom("visits")
      .selectAll()
      .where("lock_device_id", "=", message.deviceId)
      .where("status", "in", ["open", "securing"])
      .where("car_lat", "is not", null)
      .execute();
    for (const visit of visits) {
      const from = { lat: visit.car_lat as number, lng: visit.car_lng as number };
      const movedM = distanceMeters(from, state.position);
      const driving = state.drive === "driving";
      if (!driving && movedM <= this.ctx.config.car.movedIncidentM) continue;
      const detail = driving
        ? "The car started driving while its trunk was open for the delivery."
        : `The car moved ${Math.round(movedM)} m during the delivery.`;
      await this.visits.raiseIncident(
        visit,
        await this.visits.shipmentOf(visit),
        ["open", "securing"],
        "car_moved",
        detail,
      );
    }
  }
}
