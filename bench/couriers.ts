/**
 * Child process of the benchmark: the couriers. Each does complete visits over HTTP with fetch and
 * its session cookie — POST /v1/visits (with an Idempotency-Key) until the answer says open, then
 * POST /v1/visits/{id}/secure until it says secured — one visit at a time, as the server allows.
 *
 *   throughput: closed loop, every courier starts its next visit as soon as the last one ends.
 *   latency:    open loop, visits arrive at a fixed rate whatever the answers; an arrival takes an
 *               idle courier, and its scan-to-open time counts from the moment it was due.
 *
 * Running apart from the server keeps client work off the server's core and out of its profile.
 */
import { randomUUID } from "node:crypto";
import {
  type CourierCommand,
  type CourierPlan,
  type CourierReport,
  CpuMeter,
  type PhaseResult,
  type Stop,
} from "./lib.js";

const send = (report: CourierReport) => process.send?.(report);
process.on("disconnect", () => process.exit(0));
process.on("SIGINT", () => {});
process.on("SIGTERM", () => process.exit(0));

type Outcome =
  | { ok: true; openMs: number; secureMs: number; doneAt: number }
  | { ok: false; step: "scan" | "secure"; detail: string; opened: boolean };

/** One complete visit; `dueAt` is when it should have started (open loop), else now. */
async function visit(baseUrl: string, cookie: string, stop: Stop, dueAt?: number): Promise<Outcome> {
  const start = dueAt ?? performance.now();
  let opened = false;
  try {
    const scan = await fetch(`${baseUrl}/v1/visits`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify({ trackingNumber: stop.tracking, location: { lat: stop.lat, lng: stop.lng } }),
    });
    const scanned = (await scan.json()) as { id?: string; status?: string; error?: { code: string } };
    const openAt = performance.now();
    if (scan.status !== 201 || scanned.status !== "open" || !scanned.id) {
      return { ok: false, step: "scan", detail: explain(scan.status, scanned), opened };
    }
    opened = true;
    const secure = await fetch(`${baseUrl}/v1/visits/${scanned.id}/secure`, { method: "POST", headers: { cookie } });
    const secured = (await secure.json()) as { status?: string; error?: { code: string } };
    const doneAt = performance.now();
    if (secure.status !== 200 || secured.status !== "secured") {
      return { ok: false, step: "secure", detail: explain(secure.status, secured), opened };
    }
    return { ok: true, openMs: openAt - start, secureMs: doneAt - openAt, doneAt };
  } catch (error) {
    return { ok: false, step: opened ? "secure" : "scan", detail: String(error), opened };
  }
}

function explain(
  status: number,
  body: { status?: string; error?: { code: string } } & Record<string, unknown>,
): string {
  const what = body.error?.code ?? body.status ?? "?";
  const extra =
    "refusals" in body ? ` ${JSON.stringify(body.refusals)}` : "reason" in body ? ` ${String(body.reason)}` : "";
  return `HTTP ${status} ${what}${extra}`;
}

function emptyResult(windowMs: number): PhaseResult {
  return {
    completed: 0,
    windowMs,
    openMs: [],
    secureMs: [],
    failures: 0,
    firstFailures: [],
    exhausted: 0,
    maxQueuedArrivals: 0,
    maxSendLagMs: 0,
    cpu: { cpuUs: 0, systemUs: 0, wallMs: 0 },
  };
}

function fail(result: PhaseResult, outcome: Extract<Outcome, { ok: false }>): void {
  result.failures++;
  if (result.firstFailures.length < 5) result.firstFailures.push({ step: outcome.step, detail: outcome.detail });
}

/** Every courier in a loop until the window closes; counts visits that end inside the window. */
async function closedLoop(baseUrl: string, couriers: CourierPlan[], warmupMs: number, durationMs: number) {
  const result = emptyResult(durationMs);
  const windowStart = performance.now() + warmupMs;
  const windowEnd = windowStart + durationMs;
  await Promise.all(
    couriers.map(async ({ cookie, stops }) => {
      let i = 0;
      while (performance.now() < windowEnd) {
        const stop = stops[i++];
        if (!stop) {
          result.exhausted++;
          return;
        }
        const started = performance.now();
        const outcome = await visit(baseUrl, cookie, stop);
        if (!outcome.ok) {
          fail(result, outcome);
          // A visit left open keeps this courier busy (the server allows one at a time): stop here.
          if (outcome.opened) return;
          continue;
        }
        if (started >= windowStart && outcome.doneAt <= windowEnd) {
          result.openMs.push(outcome.openMs);
          result.secureMs.push(outcome.secureMs);
        }
        if (outcome.doneAt >= windowStart && outcome.doneAt <= windowEnd) result.completed++;
      }
    }),
  );
  return result;
}

/** Visits arrive every 1/rate s; each takes an idle courier (or waits for one, and that wait counts). */
async function openLoop(
  baseUrl: string,
  couriers: CourierPlan[],
  ratePerS: number,
  warmupMs: number,
  durationMs: number,
) {
  const result = emptyResult(durationMs);
  const intervalMs = 1000 / ratePerS;
  const start = performance.now();
  const total = Math.floor(((warmupMs + durationMs) / 1000) * ratePerS);
  const idle = couriers.map((plan) => ({ plan, next: 0 }));
  type Idle = (typeof idle)[number];
  const due: number[] = [];
  const running = new Set<Promise<void>>();
  let issued = 0;

  const dispatch = () => {
    while (due.length > 0 && idle.length > 0) {
      const dueAt = due.shift() as number;
      const courier = idle.shift() as Idle;
      const stop = courier.plan.stops[courier.next++];
      if (!stop) {
        result.exhausted++;
        due.unshift(dueAt);
        continue;
      }
      const measured = dueAt >= start + warmupMs;
      if (measured) result.maxSendLagMs = Math.max(result.maxSendLagMs, performance.now() - dueAt);
      const run = visit(baseUrl, courier.plan.cookie, stop, dueAt).then((outcome) => {
        running.delete(run);
        if (!outcome.ok) {
          fail(result, outcome);
          // A visit left open keeps this courier busy (the server allows one at a time): retire it.
          if (!outcome.opened) idle.push(courier);
        } else {
          idle.push(courier);
          if (measured) {
            result.completed++;
            result.openMs.push(outcome.openMs);
            result.secureMs.push(outcome.secureMs);
          }
        }
        dispatch();
      });
      running.add(run);
    }
    if (idle.length === 0) result.maxQueuedArrivals = Math.max(result.maxQueuedArrivals, due.length);
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (issued < total && start + issued * intervalMs <= now) due.push(start + issued++ * intervalMs);
      dispatch();
      if (issued >= total || (idle.length === 0 && running.size === 0)) return resolve();
      setTimeout(tick, Math.max(0, start + issued * intervalMs - performance.now()));
    };
    tick();
  });
  while (running.size > 0) await Promise.all([...running]);
  return result;
}

const meter = new CpuMeter();
process.on("message", (command: CourierCommand) => {
  if (command.type === "stop") process.exit(0);
  const run = async () => {
    meter.reset();
    const result =
      command.type === "throughput"
        ? await closedLoop(command.baseUrl, command.couriers, command.warmupMs, command.durationMs)
        : await openLoop(command.baseUrl, command.couriers, command.ratePerS, command.warmupMs, command.durationMs);
    result.cpu = meter.sample();
    send({ type: "result", result });
  };
  run().catch((error: unknown) =>
    send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
send({ type: "ready" });
