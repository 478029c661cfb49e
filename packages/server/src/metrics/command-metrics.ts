import type { CommandAction } from "@threshold/protocol";
import { Histogram, type Registry } from "prom-client";
import type { CommandSettledObserver } from "../commands/command-service.js";

/** From a loopback round trip (~0.1 ms) to the longest command expiry (30 s) and its grace. */
const ROUND_TRIP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 31];

/**
 * Command round trips: the time from publishing a signed command to its outcome (the device's
 * ack, or the expiry), by command action and outcome. The histogram's count is the number of
 * commands by outcome.
 */
export function commandRoundTrips(registry: Registry): CommandSettledObserver {
  const roundTrip = new Histogram({
    name: "threshold_command_round_trip_seconds",
    help: "Time from publishing a command to its outcome (ack or expiry), by action and outcome.",
    labelNames: ["action", "outcome"] as const,
    buckets: ROUND_TRIP_BUCKETS,
    registers: [registry],
  });
  const children = new Map<string, { observe(seconds: number): void }>();
  return (action: CommandAction, outcome, elapsedMs) => {
    const key = `${action} ${outcome}`;
    let child = children.get(key);
    if (!child) {
      child = roundTrip.labels(action, outcome);
      children.set(key, child);
    }
    child.observe(elapsedMs / 1000);
  };
}
