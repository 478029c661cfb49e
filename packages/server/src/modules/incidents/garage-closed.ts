import type { EventMessage } from "@threshold/protocol";
import type { AppContext } from "../../context.js";

/**
 * What closed a garage, as far as Threshold knows: its own close for the visit (the courier's
 * Done, or the watchdog's retry once the incident was open), the owner's app, the opener's own
 * auto-close, or something Threshold did not command — a hand on the wall button or the door.
 */
export type GarageClosedBy = "courier" | "watchdog" | "owner_app" | "auto_close" | "at_the_door";

/**
 * Records on a garage's open incidents the opener's signed `garage.closed`: when, and by what. The
 * incident stays open for a person to resolve (in one tap, now that the door is proven shut); this
 * only stops it from saying "left open" about a door that is closed.
 */
export class GarageClosedRecorder {
  private queue: Promise<void> = Promise.resolve();
  private readonly onEvent = (event: EventMessage) => {
    if (event.type !== "garage.closed") return;
    this.queue = this.queue
      .then(() => this.closed(event))
      .catch((err: unknown) => this.ctx.log.error({ err, eventId: event.id }, "garage closing not recorded"));
  };

  constructor(private readonly ctx: Pick<AppContext, "db" | "audit" | "gateway" | "log">) {}

  start(): void {
    this.ctx.gateway.on("deviceEvent", this.onEvent);
  }

  async stop(): Promise<void> {
    this.ctx.gateway.off("deviceEvent", this.onEvent);
    await this.queue;
  }

  private async closed(event: EventMessage): Promise<void> {
    const incidents = await this.ctx.db
      .selectFrom("incidents")
      .innerJoin("visits", "visits.id", "incidents.visit_id")
      .select(["incidents.id", "incidents.site_id", "incidents.visit_id", "incidents.opened_at", "visits.securing_at"])
      .where("visits.lock_device_id", "=", event.deviceId)
      .where("incidents.status", "=", "open")
      .where("incidents.door_closed_at", "is", null)
      .execute();
    if (incidents.length === 0) return;
    const commandId = typeof event.data.commandId === "string" ? event.data.commandId : null;
    const command = commandId
      ? await this.ctx.db
          .selectFrom("commands")
          .select(["params", "issued_at"])
          .where("id", "=", commandId)
          .where("device_id", "=", event.deviceId)
          .executeTakeFirst()
      : undefined;
    for (const incident of incidents) {
      const by = closedBy(event, command, incident);
      await this.ctx.audit.transaction(async (trx, record) => {
        const noted = await trx
          .updateTable("incidents")
          .set({ door_closed_at: event.at, door_closed_by: by, door_closed_command_id: command ? commandId : null })
          .where("id", "=", incident.id)
          .where("door_closed_at", "is", null)
          .executeTakeFirst();
        if (Number(noted.numUpdatedRows) !== 1) return;
        record({
          type: "incident.door_closed",
          subjectType: "incident",
          subjectId: incident.id,
          siteId: incident.site_id,
          actor: { type: "device", id: event.deviceId },
          data: { visitId: incident.visit_id, by, commandId: command ? commandId : null, eventId: event.id },
        });
      });
    }
  }
}

/**
 * Reads who closed it from the opener's signed event and the command it names. A close for this
 * visit issued with the courier's Done (the visit's securing began with it) is the courier's; one
 * issued later, while the incident was open, is the watchdog's. A close for no visit is the
 * owner's (the app's secure is the only such command Threshold sends a garage opener).
 */
function closedBy(
  event: EventMessage,
  command: { params: string; issued_at: number } | undefined,
  incident: { visit_id: string; opened_at: number; securing_at: number | null },
): GarageClosedBy {
  if (event.data.by === "auto_close") return "auto_close";
  if (event.data.by !== "command" || !command) return "at_the_door";
  const params = JSON.parse(command.params) as { visitId?: unknown };
  if (params.visitId !== incident.visit_id) return "owner_app";
  const securingAt = incident.securing_at === null ? null : Number(incident.securing_at);
  const withTheCouriersDone =
    securingAt !== null && Number(command.issued_at) >= securingAt && Number(command.issued_at) - securingAt < 2_000;
  return withTheCouriersDone && securingAt >= Number(incident.opened_at) ? "courier" : "watchdog";
}
