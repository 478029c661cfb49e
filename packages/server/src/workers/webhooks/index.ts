import type { AppContext } from "../../context.js";
import { WebhookDeliveryWorker } from "./delivery-worker.js";
import { WebhookFanOut } from "./fan-out.js";

export interface WebhookWorkers {
  fanOut: WebhookFanOut;
  delivery: WebhookDeliveryWorker;
  /** Resolves once every audit event appended before the call is fanned out and every due delivery attempted (tests). */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the webhook fan-out and delivery workers; every server process runs both. */
export function startWebhookWorkers(ctx: Pick<AppContext, "db" | "storage" | "audit" | "clock" | "log" | "config">) {
  const { pollMs, timeoutMs, allowHttpLoopback } = ctx.config.webhooks;
  const log = ctx.log.child({ worker: "webhooks" });
  const delivery = new WebhookDeliveryWorker({
    db: ctx.db,
    dialect: ctx.storage.dialect,
    clock: ctx.clock,
    log,
    pollMs,
    timeoutMs,
    policy: { allowHttpLoopback },
  });
  const fanOut = new WebhookFanOut({
    db: ctx.db,
    dialect: ctx.storage.dialect,
    audit: ctx.audit,
    clock: ctx.clock,
    log,
    pollMs,
    onEnqueued: () => delivery.wake(),
  });
  delivery.start();
  fanOut.start();
  return {
    fanOut,
    delivery,
    drained: async () => {
      await fanOut.drained();
      await delivery.drained();
    },
    stop: async () => {
      await fanOut.stop();
      await delivery.stop();
    },
  } satisfies WebhookWorkers;
}
