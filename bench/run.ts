/**
 * The benchmark itself (bench/bench.ts launches it after the video benchmark; see README.md):
 *
 * Starts the real server on embedded defaults (SQLite, embedded aedes broker) in a temp data dir,
 * seeds homes, couriers and shipments directly in storage, runs every home's real lock and camera
 * agent in a child process (agents.ts), measures a bare MQTT command-and-ack round trip through
 * the same broker, then drives complete visits over HTTP from a second child (couriers.ts):
 * closed loop for throughput, then open loop at half that rate for latency. Prints, last:
 *
 *   bench visits flows_per_s=<n> open_p50_ms=<n> open_p99_ms=<n> baseline_rtt_p50_ms=<n> rss_mb=<n>
 *
 * Options: --quick, --profile (counters + CPU profile of the server, see instrument.ts),
 * --what-if=stmt-cache,sync-normal (experiments), --homes=N --couriers=N --duration=S
 * (throughput) --latency-duration=S.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deviceTopic } from "@threshold/protocol";
import type { ServerHandle } from "@threshold/server";
import { sql } from "kysely";
import { nextMessage, startBenchServer, startChild, stopChild, withTimeout } from "./children.js";
import {
  type Counters,
  installCounters,
  installStatementCache,
  Profiler,
  probeCommitMicros,
  probeEd25519Micros,
  resetCounters,
  snapshotCounters,
  type WhatIf,
} from "./instrument.js";
import {
  type AgentCommand,
  type AgentReport,
  type CourierCommand,
  type CourierPlan,
  type CourierReport,
  CpuMeter,
  type CpuSample,
  corePercent,
  MachineCpuMeter,
  type PhaseResult,
  percentile,
  type UploadTotals,
} from "./lib.js";
import { seedShipments, seedWorld, type World } from "./seed.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
function option(name: string, fallback: number): number {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const quick = flag("quick");
const settings = {
  homes: option("homes", quick ? 200 : 1000),
  couriers: option("couriers", 50),
  warmupS: quick ? 1 : 3,
  throughputS: option("duration", quick ? 6 : 20),
  latencyWarmupS: 1,
  latencyS: option("latency-duration", quick ? 5 : 15),
  baselineRoundTrips: quick ? 1000 : 2000,
  /** Shipments seeded per courier for the closed loop assume at most this many visits per second. */
  assumedMaxFlowsPerS: 1500,
};
const profiling = flag("profile");
const WHAT_IFS: readonly WhatIf[] = ["stmt-cache", "sync-normal", "no-autocheckpoint", "cache-64m"];
const whatIfs = (
  args
    .find((a) => a.startsWith("--what-if="))
    ?.slice("--what-if=".length)
    .split(",") ?? []
).filter((w): w is WhatIf => {
  if ((WHAT_IFS as readonly string[]).includes(w)) return true;
  throw new Error(`--what-if takes ${WHAT_IFS.join(", ")}`);
});

const started = performance.now();
const say = (line: string) =>
  console.log(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

// ---------------------------------------------------------------------------------------------
// Cleanup, in this order: couriers, server (while the agents still answer, so visits in flight
// finish), agents, temp dir — on success, error and Ctrl-C alike.

const resources: { couriers?: ChildProcess; agents?: ChildProcess; server?: ServerHandle; dataDir?: string } = {};
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    const step = async (what: string, work: () => Promise<void> | void) => {
      try {
        await work();
      } catch (error) {
        console.error(`[bench] cleanup: ${what} failed: ${String(error)}`);
      }
    };
    await step("stopping the couriers", () => stopChild(resources.couriers));
    if (resources.agents?.connected) resources.agents.send({ type: "quiet" } satisfies AgentCommand);
    const server = resources.server;
    if (server) await step("closing the server", () => withTimeout(server.close(), 15_000, "closing the server"));
    await step("stopping the agents", () => stopChild(resources.agents));
    const dir = resources.dataDir;
    if (dir) await step("removing the data dir", () => rmSync(dir, { recursive: true, force: true }));
  })();
  return cleaning;
}
let interrupted = false;
function interrupt(why: string): void {
  if (interrupted) return;
  interrupted = true;
  console.error(`\n[bench] ${why}: stopping`);
  void cleanup().finally(() => process.exit(130));
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => interrupt(signal));
// Started by bench.ts: if it goes, so do we.
process.on("disconnect", () => interrupt("launcher gone"));

// ---------------------------------------------------------------------------------------------

interface Transport {
  publishCommand(topic: string, payload: Buffer): Promise<void>;
  onInbound(handler: (topic: string, payload: Buffer) => void): void;
}

/** The broker transport the server's command service publishes through (not public API; read, not changed). */
function brokerTransport(server: ServerHandle): Transport {
  const deps = Reflect.get(server.ctx.gateway, "deps") as { transport?: Transport } | undefined;
  const transport = deps?.transport;
  if (!transport || typeof transport.publishCommand !== "function" || typeof transport.onInbound !== "function") {
    throw new Error("cannot reach the gateway's broker transport; update bench/run.ts brokerTransport()");
  }
  return transport;
}

let inboundMessages = 0;

/**
 * The bare round trip: the server side publishes a (pre-signed, realistic) command through the
 * same transport the command service uses, the echo device in the agents process answers on its
 * ack topic at once, and the time runs from publish to the server's inbound handler seeing it.
 */
async function measureBaseline(server: ServerHandle, world: World, count: number): Promise<number[]> {
  const transport = brokerTransport(server);
  const deviceId = world.baseline.deviceId;
  const ackTopic = deviceTopic(deviceId, "ack");
  const cmdTopic = deviceTopic(deviceId, "cmd");
  const now = server.ctx.clock.now();
  const command = server.ctx.keyring.sign({
    v: 1,
    id: "cmd_0000000000baseline0000000",
    deviceId,
    kid: server.ctx.keyring.currentKid,
    issuedAt: now,
    expiresAt: now + 10_000,
    action: "ping",
    params: {},
  });
  const payload = Buffer.from(JSON.stringify(command));
  let waiting: (() => void) | null = null;
  transport.onInbound((topic) => {
    inboundMessages++;
    if (topic === ackTopic && waiting) {
      const resolve = waiting;
      waiting = null;
      resolve();
    }
  });
  const once = async () => {
    const arrived = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    const t = performance.now();
    await transport.publishCommand(cmdTopic, payload);
    await withTimeout(arrived, 5_000, "a baseline round trip");
    return performance.now() - t;
  };
  for (let i = 0; i < 100; i++) await once(); // warm-up
  const rtts: number[] = [];
  for (let i = 0; i < count; i++) rtts.push(await once());
  return rtts;
}

async function countRows(server: ServerHandle) {
  const { db } = server.ctx;
  const count = async (table: "commands" | "audit_events" | "device_events" | "idempotency_keys") =>
    Number((await db.selectFrom(table).select(db.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
  const secured = Number(
    (
      await db
        .selectFrom("visits")
        .select(db.fn.countAll().as("n"))
        .where("status", "=", "secured")
        .executeTakeFirstOrThrow()
    ).n,
  );
  return {
    secured,
    commands: await count("commands"),
    auditEvents: await count("audit_events"),
    deviceEvents: await count("device_events"),
    idempotencyKeys: await count("idempotency_keys"),
    inbound: inboundMessages,
  };
}
type RowCounts = Awaited<ReturnType<typeof countRows>>;

/**
 * Where a visit's server-side time goes, step by step, from the timestamps the server itself
 * stores (milliseconds; averaged over many visits, so sub-millisecond steps still show).
 */
async function timeline(server: ServerHandle, sinceMs: number): Promise<string | null> {
  const { db } = server.ctx;
  const visits = await db
    .selectFrom("visits")
    .select(["id", "requested_at", "authorized_at", "opened_at", "securing_at", "secured_at"])
    .where("status", "=", "secured")
    .where("requested_at", ">=", sinceMs)
    .execute();
  if (visits.length === 0) return null;
  const commands = await db
    .selectFrom("commands")
    .select(["action", "params", "issued_at", "completed_at"])
    .where("issued_at", ">=", sinceMs)
    .execute();
  type Cmd = (typeof commands)[number];
  const byVisit = new Map<string, Map<string, Cmd>>();
  for (const c of commands) {
    const visitId = (JSON.parse(c.params) as { visitId?: string }).visitId;
    if (!visitId) continue;
    let mine = byVisit.get(visitId);
    if (!mine) {
      mine = new Map();
      byVisit.set(visitId, mine);
    }
    mine.set(c.action, c);
  }
  const steps: [string, number[]][] = [
    ["checks→record_start issued (in the authorize tx)", []],
    ["record_start: commit+publish+camera round trip", []],
    ["camera ack→unlock issued (in the opening tx)", []],
    ["unlock: commit+publish+lock round trip", []],
    ["open tx", []],
    ["secure: securing→lock ack applied", []],
    ["secure: ack→secured", []],
  ];
  const add = (i: number, a: number | null | undefined, b: number | null | undefined) => {
    if (a != null && b != null) (steps[i] as [string, number[]])[1].push(b - a);
  };
  for (const v of visits) {
    const mine = byVisit.get(v.id);
    const rs = mine?.get("record_start");
    const ul = mine?.get("unlock");
    const lk = mine?.get("lock");
    if (!rs || !ul || !lk) continue;
    // requested_at and authorized_at are the same instant (the scan's start), so step 0 runs from it.
    add(0, v.requested_at, rs.issued_at);
    add(1, rs.issued_at, rs.completed_at);
    add(2, rs.completed_at, ul.issued_at);
    add(3, ul.issued_at, ul.completed_at);
    add(4, ul.completed_at, v.opened_at);
    add(5, v.securing_at, lk.completed_at);
    add(6, lk.completed_at, v.secured_at);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const opened = visits.filter((v) => v.opened_at !== null).map((v) => (v.opened_at as number) - v.requested_at);
  return (
    `server-side timeline, mean ms over ${visits.length} visits: scan→open ${fmt(mean(opened))} = ` +
    steps.map(([name, xs]) => `${name} ${fmt(mean(xs))}`).join(", ")
  );
}

/** Bytes this process has had written to storage so far (Linux /proc/self/io), or null elsewhere. */
function diskWriteBytes(): number | null {
  try {
    const match = /^write_bytes: (\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

interface ServerWindow {
  cpu: CpuSample;
  elu: number;
  /** Bytes written to storage by the server process during the window (WAL, checkpoints), when known. */
  diskBytes: number | null;
  counters: ReturnType<typeof snapshotCounters> | null;
  profile: string[];
  /** The whole machine's cores busy on average in the window (every process, the kernel), when known. */
  machineCores: number | null;
}

/**
 * Sends a phase to the couriers and measures the server side over the phase's measured window
 * (after its warm-up): CPU, event-loop utilisation, and with --profile the counters and profile.
 */
async function runPhase(
  couriers: ChildProcess,
  command: Extract<CourierCommand, { type: "throughput" | "latency" }>,
  profileFile: string | null,
): Promise<{ result: PhaseResult; server: ServerWindow }> {
  const meter = new CpuMeter();
  let elu = performance.eventLoopUtilization();
  let profiler: Profiler | null = null;
  const window: ServerWindow = {
    cpu: { cpuUs: 0, systemUs: 0, wallMs: 0 },
    elu: 0,
    diskBytes: null,
    counters: null,
    profile: [],
    machineCores: null,
  };
  let diskAtStart: number | null = null;
  let machine = new MachineCpuMeter();
  const beginWindow = async () => {
    meter.reset();
    machine = new MachineCpuMeter();
    diskAtStart = diskWriteBytes();
    elu = performance.eventLoopUtilization();
    resetCounters();
    if (profileFile) {
      profiler = new Profiler();
      await profiler.start();
    }
  };
  const endWindow = async () => {
    window.cpu = meter.sample();
    window.machineCores = machine.coresBusy();
    window.elu = performance.eventLoopUtilization(elu).utilization;
    const diskNow = diskWriteBytes();
    window.diskBytes = diskNow !== null && diskAtStart !== null ? diskNow - diskAtStart : null;
    if (profiling) window.counters = snapshotCounters();
    if (profiler && profileFile) window.profile = await profiler.stop(profileFile);
  };
  const ended = new Promise<void>((resolve, reject) => {
    setTimeout(() => {
      void beginWindow().then(() => setTimeout(() => endWindow().then(resolve, reject), command.durationMs), reject);
    }, command.warmupMs);
  });
  const answer = nextMessage<CourierReport, PhaseResult>(couriers, (m) => (m.type === "result" ? m.result : undefined));
  couriers.send(command);
  const result = await withTimeout(answer, command.warmupMs + command.durationMs + 60_000, `the ${command.type} phase`);
  await ended;
  return { result, server: window };
}

function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "n/a";
}

function describePhase(
  name: string,
  result: PhaseResult,
  server: ServerWindow,
  agents: Extract<AgentReport, { type: "cpu" }>,
  uploadsBefore: UploadTotals,
): void {
  const agentsCpu = agents.sample;
  const secs = result.windowMs / 1000;
  say(
    `${name}: ${result.completed} visits in ${fmt(secs, 1)} s = ${fmt(result.completed / secs, 1)}/s; ` +
      `scan→open p50 ${fmt(percentile(result.openMs, 50))} ms p99 ${fmt(percentile(result.openMs, 99))} ms ` +
      `max ${fmt(Math.max(...result.openMs, 0))} ms; secure→secured p50 ${fmt(percentile(result.secureMs, 50))} ms ` +
      `p99 ${fmt(percentile(result.secureMs, 99))} ms; failures ${result.failures}`,
  );
  say(
    `${name}: CPU server ${fmt(corePercent(server.cpu), 0)}% of a core (event loop busy ${fmt(server.elu * 100, 0)}%), ` +
      `agents ${fmt(corePercent(agentsCpu), 0)}%, couriers ${fmt(corePercent(result.cpu), 0)}%; ` +
      `machine load average ${fmt(os.loadavg()[0] as number, 1)} on ${os.availableParallelism()} cores`,
  );
  if (server.machineCores !== null && result.completed > 0) {
    // Everything the machine did per visit, the cameras' video and the simulated devices included.
    const msPerVisit = (server.machineCores * 1000) / (result.completed / secs);
    say(
      `${name}: machine (all processes and the kernel) ${fmt(server.machineCores, 2)} of ${os.availableParallelism()} cores busy: ` +
        `${fmt(msPerVisit, 2)} ms of CPU per visit (the cameras' video and the simulated devices included)`,
    );
  }
  if (result.exhausted > 0)
    say(`${name}: WARNING ${result.exhausted} couriers ran out of shipments (figure is a floor)`);
  if (result.maxQueuedArrivals > 0) {
    say(`${name}: up to ${result.maxQueuedArrivals} arrivals at once waited for an idle courier (counted in open)`);
  }
  if (result.maxSendLagMs > 0) say(`${name}: worst arrival send lag ${fmt(result.maxSendLagMs)} ms`);
  for (const f of result.firstFailures) say(`${name}: failure at ${f.step}: ${f.detail}`);
  const uploads = agents.uploads;
  const uploaded = uploads.uploaded - uploadsBefore.uploaded;
  say(
    `${name}: cameras uploaded ${uploaded} segments in the whole phase (${fmt(uploaded / (agentsCpu.wallMs / 1000), 0)}/s), ` +
      `${uploads.refused - uploadsBefore.refused} refused, ${uploads.dropped - uploadsBefore.dropped} dropped unsent`,
  );
}

/** Ed25519's cost on this machine, probed once before the load starts. */
let ed25519 = { signUs: 0, verifyUs: 0 };

function describePerVisit(before: RowCounts, after: RowCounts, window: ServerWindow, completed: number): void {
  const visits = after.secured - before.secured;
  if (visits <= 0) return;
  const per = (a: number, b: number) => fmt((a - b) / visits, 1);
  say(
    `per visit (whole phase, ${visits} visits): ${per(after.commands, before.commands)} commands, ` +
      `${per(after.auditEvents, before.auditEvents)} audit events, ${per(after.deviceEvents, before.deviceEvents)} device events, ` +
      `${per(after.idempotencyKeys, before.idempotencyKeys)} idempotency keys, ${per(after.inbound, before.inbound)} inbound MQTT messages`,
  );
  // A floor for protocol v1 as it is, whatever the server does: every command is signed by the
  // server and verified by its device, every device message signed by the device and verified by
  // the server.
  const signed = (after.commands - before.commands + after.inbound - before.inbound) / visits;
  const signatureMs = (signed * (ed25519.signUs + ed25519.verifyUs)) / 1000;
  say(
    `signatures per visit: ${fmt(signed, 1)} messages each signed and verified = ${fmt(signatureMs, 2)} ms of CPU ` +
      `(Ed25519 here: sign ${fmt(ed25519.signUs, 1)} µs, verify ${fmt(ed25519.verifyUs, 1)} µs on a quiet core), ` +
      `so 1,000 visits/s need ${fmt(signatureMs, 2)} cores for signatures alone`,
  );
  say(
    `server per visit (measured window): CPU ${fmt(window.cpu.cpuUs / 1000 / Math.max(1, completed), 2)} ms ` +
      `(${fmt(window.cpu.systemUs / 1000 / Math.max(1, completed), 2)} ms of it in the kernel), ` +
      `event loop busy ${fmt((window.elu * window.cpu.wallMs) / Math.max(1, completed), 2)} ms` +
      (window.diskBytes !== null
        ? `, ${fmt(window.diskBytes / 1024 / Math.max(1, completed), 0)} KiB written to disk`
        : ""),
  );
  const c = window.counters;
  if (!c || completed === 0) return;
  const line = (label: string, k: Exclude<keyof Counters, "commitsBySource" | "timeBySql">) =>
    `${label} ${fmt(c[k].count / completed, 1)}× ${fmt((c[k].ms / completed) * 1000, 0)} µs`;
  const commits = c.commit.count + c.autocommit.count;
  const dbMs = c.prepare.ms + c.read.ms + c.writeInTx.ms + c.autocommit.ms + c.begin.ms + c.commit.ms;
  say(
    `per visit (measured window, ${completed} visits): ${fmt(commits / completed, 1)} commits ` +
      `(${fmt(c.commit.count / completed, 1)} transactions + ${fmt(c.autocommit.count / completed, 1)} single writes), ` +
      `SQLite total ${fmt((dbMs / completed) * 1000, 0)} µs`,
  );
  say(
    `  ${line("prepare", "prepare")}; ${line("read", "read")}; ${line("write in tx", "writeInTx")}; ` +
      `${line("autocommit write", "autocommit")}; ${line("begin", "begin")}; ${line("commit", "commit")}`,
  );
  say(`  crypto: ${line("Ed25519 sign", "sign")}; ${line("verify", "verify")}`);
  if (commits > 0) {
    say(
      `  durable commit cost (the write and its fsync): ${fmt(((c.commit.ms + c.autocommit.ms) / commits) * 1000, 0)} µs each on average`,
    );
  }
  say(
    `  commits per visit by what they wrote: ${c.commitsBySource
      .slice(0, 12)
      .map(([source, n]) => `${source} ${fmt(n / completed, 1)}`)
      .join("; ")}`,
  );
  say("  SQLite time per visit by statement (the costliest):");
  for (const [sql, t] of c.timeBySql) {
    say(`    ${fmt((t.ms / completed) * 1000, 0).padStart(5)} µs ${fmt(t.count / completed, 1).padStart(5)}×  ${sql}`);
  }
}

async function main(): Promise<number> {
  say(
    `${quick ? "quick" : "full"} run: ${settings.homes} homes (${settings.homes * 2} agents), ${settings.couriers} couriers, ` +
      `throughput ${settings.throughputS} s after ${settings.warmupS} s warm-up, latency ${settings.latencyS} s` +
      (profiling ? ", profiling" : "") +
      (whatIfs.length > 0 ? `, WHAT-IF ${whatIfs.join("+")} (an experiment, not the shipped server)` : ""),
  );
  if (profiling) installCounters();
  if (whatIfs.includes("stmt-cache")) installStatementCache();

  // bench.ts makes the dir (and removes it whatever becomes of this process); run alone, we do.
  const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), "threshold-bench-"));
  resources.dataDir = dataDir;
  const server = await startBenchServer(dataDir);
  resources.server = server;
  if (interrupted) return 130;
  if (whatIfs.includes("sync-normal")) await sql`pragma synchronous = NORMAL`.execute(server.ctx.db);
  // The WAL grows for the whole run instead of being copied back into the database on commits.
  if (whatIfs.includes("no-autocheckpoint")) await sql`pragma wal_autocheckpoint = 0`.execute(server.ctx.db);
  // SQLite's page cache at 64 MiB instead of its default 2 MiB.
  if (whatIfs.includes("cache-64m")) await sql`pragma cache_size = -65536`.execute(server.ctx.db);
  say(`server up: ${server.url}, broker ${server.ctx.mqttUrl}, data in ${dataDir}`);
  say(
    `disk: a bare durable SQLite commit (WAL, synchronous=FULL) takes ${fmt(probeCommitMicros(dataDir), 0)} µs here now`,
  );
  ed25519 = probeEd25519Micros();

  // Seeding.
  say(`seeding ${settings.homes} homes, ${settings.couriers} couriers…`);
  let t = performance.now();
  const world = await seedWorld(server.ctx, {
    homes: settings.homes,
    couriers: settings.couriers,
    brokerUrl: server.ctx.mqttUrl,
  });
  const perCourier = Math.ceil(
    ((settings.warmupS + settings.throughputS) * settings.assumedMaxFlowsPerS) / settings.couriers,
  );
  const throughputPlans = await seedShipments(server.ctx, world, perCourier);
  say(
    `seeded in ${fmt((performance.now() - t) / 1000, 1)} s: ${world.devices.length} devices, ` +
      `${perCourier * settings.couriers} shipments`,
  );

  // Agents.
  const worldFile = path.join(dataDir, "agents.json");
  writeFileSync(
    worldFile,
    JSON.stringify({
      brokerUrl: server.ctx.mqttUrl,
      serverUrl: server.url,
      devices: world.devices,
      baseline: world.baseline,
    }),
    { mode: 0o600 },
  );
  t = performance.now();
  const agents = startChild("agents.ts", [worldFile]);
  resources.agents = agents;
  const ready = await withTimeout(
    nextMessage<AgentReport, Extract<AgentReport, { type: "ready" }>>(
      agents,
      (m) => (m.type === "ready" ? m : undefined),
      (m) => {
        if (m.type === "progress") say(`agents connected ${m.started}/${m.total}`);
      },
    ),
    120_000,
    "starting the agents",
  );
  say(`agents started: ${ready.started} in ${fmt((performance.now() - t) / 1000, 1)} s (${ready.errors} errors)`);
  const { db } = server.ctx;
  for (let last = -1; ; ) {
    const online = Number(
      (
        await db
          .selectFrom("devices")
          .select(db.fn.countAll().as("n"))
          .where("online", "=", 1)
          .executeTakeFirstOrThrow()
      ).n,
    );
    if (online !== last) say(`agents online ${online}/${world.devices.length}`);
    last = online;
    if (online >= world.devices.length) break;
    if (performance.now() - t > 120_000) throw new Error("not every device came online within 120 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  // A door opens only while its camera's video is fresh: wait for every camera's first segment.
  const cameras = world.devices.filter((d) => d.kind === "camera").length;
  for (let last = -1; ; ) {
    const streaming = Number(
      (
        await db
          .selectFrom("video_segments")
          .select(sql<number>`count(distinct device_id)`.as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
    if (streaming !== last) say(`cameras with video stored ${streaming}/${cameras}`);
    last = streaming;
    if (streaming >= cameras) break;
    if (performance.now() - t > 120_000) throw new Error("not every camera uploaded a segment within 120 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  const agentsCpu = async (): Promise<Extract<AgentReport, { type: "cpu" }>> => {
    const answer = nextMessage<AgentReport, Extract<AgentReport, { type: "cpu" }>>(agents, (m) =>
      m.type === "cpu" ? m : undefined,
    );
    agents.send({ type: "cpu" } satisfies AgentCommand);
    return withTimeout(answer, 10_000, "reading the agents' CPU");
  };

  // Baseline.
  say(`baseline: ${settings.baselineRoundTrips} bare MQTT command→ack round trips through the same broker…`);
  const rtts = await measureBaseline(server, world, settings.baselineRoundTrips);
  const baselineP50 = percentile(rtts, 50);
  say(`baseline: p50 ${fmt(baselineP50, 3)} ms, p99 ${fmt(percentile(rtts, 99), 3)} ms`);

  // Couriers.
  const couriers = startChild("couriers.ts", []);
  resources.couriers = couriers;
  await withTimeout(
    nextMessage<CourierReport, true>(couriers, (m) => (m.type === "ready" ? true : undefined)),
    30_000,
    "starting the couriers",
  );
  const baseUrl = server.url;
  let rssMax = process.memoryUsage().rss;
  const rssTimer = setInterval(() => {
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }, 250);
  rssTimer.unref();

  // Throughput.
  say(
    `throughput: ${settings.couriers} couriers in a closed loop, ${settings.warmupS} s warm-up + ${settings.throughputS} s…`,
  );
  let before = await countRows(server);
  let uploadsBefore = (await agentsCpu()).uploads;
  const profileFile = profiling
    ? path.join(HERE, "out", `visits-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`)
    : null;
  const throughput = await runPhase(
    couriers,
    {
      type: "throughput",
      baseUrl,
      couriers: throughputPlans,
      warmupMs: settings.warmupS * 1000,
      durationMs: settings.throughputS * 1000,
    },
    profileFile,
  );
  describePhase("throughput", throughput.result, throughput.server, await agentsCpu(), uploadsBefore);
  describePerVisit(before, await countRows(server), throughput.server, throughput.result.completed);
  if (profileFile) {
    for (const line of throughput.server.profile) console.log(line);
    say(`CPU profile written to ${path.relative(process.cwd(), profileFile)}`);
  }
  const flowsPerS = throughput.result.completed / (throughput.result.windowMs / 1000);

  // Latency, open loop at half the throughput.
  const rate = Math.max(1, Math.floor(flowsPerS / 2));
  const latencyPerCourier = Math.ceil(
    (((settings.latencyWarmupS + settings.latencyS) * rate) / settings.couriers) * 2 + 5,
  );
  const latencyPlans: CourierPlan[] = await seedShipments(server.ctx, world, latencyPerCourier);
  say(
    `latency: open loop at ${rate} visits/s (half the throughput), ${settings.latencyWarmupS} s + ${settings.latencyS} s…`,
  );
  before = await countRows(server);
  uploadsBefore = (await agentsCpu()).uploads;
  const latencyStart = server.ctx.clock.now();
  const latency = await runPhase(
    couriers,
    {
      type: "latency",
      baseUrl,
      couriers: latencyPlans,
      ratePerS: rate,
      warmupMs: settings.latencyWarmupS * 1000,
      durationMs: settings.latencyS * 1000,
    },
    null,
  );
  describePhase("latency", latency.result, latency.server, await agentsCpu(), uploadsBefore);
  describePerVisit(before, await countRows(server), latency.server, latency.result.completed);
  const steps = await timeline(server, latencyStart);
  if (steps) say(steps);
  rssMax = Math.max(rssMax, process.memoryUsage().rss);

  const failures = throughput.result.failures + latency.result.failures;
  const secured = await db
    .selectFrom("visits")
    .select(["status", sql<number>`count(*)`.as("n")])
    .groupBy("status")
    .execute();
  say(`visits by status: ${secured.map((r) => `${r.status} ${r.n}`).join(", ")}`);
  if (failures > 0) say(`FAILED: ${failures} visits did not end open→secured`);

  clearInterval(rssTimer);
  await cleanup();
  console.log(
    `bench visits flows_per_s=${fmt(flowsPerS, 1)} open_p50_ms=${fmt(percentile(latency.result.openMs, 50))} ` +
      `open_p99_ms=${fmt(percentile(latency.result.openMs, 99))} baseline_rtt_p50_ms=${fmt(baselineP50, 3)} ` +
      `rss_mb=${Math.round(rssMax / 1024 / 1024)}`,
  );
  return failures > 0 ? 1 : 0;
}

main().then(
  async (code) => {
    await cleanup();
    process.exit(interrupted ? 130 : code);
  },
  async (error: unknown) => {
    // Once interrupted, children going away mid-phase is expected: say nothing more.
    if (!interrupted) {
      console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    await cleanup();
    process.exit(interrupted ? 130 : 1);
  },
);
