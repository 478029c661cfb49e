/**
 * Where the server's time goes, measured from the outside (nothing in packages/ changes): with
 * `--profile` the benchmark wraps better-sqlite3's statements and node:crypto's sign/verify in
 * this process with counters and timers, and records a V8 CPU profile of the server process
 * during the throughput phase. Off by default, so the headline figures carry no wrapper cost.
 */
import crypto from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { syncBuiltinESMExports } from "node:module";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";

export interface Counter {
  count: number;
  ms: number;
}

export interface Counters {
  prepare: Counter;
  read: Counter;
  /** Writes inside an explicit transaction (no fsync of their own). */
  writeInTx: Counter;
  /** Writes outside a transaction: each one is its own commit (and fsync, with synchronous=FULL). */
  autocommit: Counter;
  begin: Counter;
  /** COMMIT of an explicit transaction (one fsync each). */
  commit: Counter;
  sign: Counter;
  verify: Counter;
}

const counter = (): Counter => ({ count: 0, ms: 0 });
export const counters: Counters = {
  prepare: counter(),
  read: counter(),
  writeInTx: counter(),
  autocommit: counter(),
  begin: counter(),
  commit: counter(),
  sign: counter(),
  verify: counter(),
};

/**
 * Durable commits by what they wrote: a single write by its statement ("update devices"), a
 * transaction by its first write ("tx: insert into visits"). Each is one fsync with synchronous=FULL.
 */
export const commitsBySource = new Map<string, number>();

/** Time in SQLite by statement text (its first 90 characters), to name the costly ones. */
export const timeBySql = new Map<string, Counter>();

function sqlCounter(source: string): Counter {
  const key = source.trim().replace(/\s+/g, " ").slice(0, 90);
  let c = timeBySql.get(key);
  if (!c) {
    c = counter();
    timeBySql.set(key, c);
  }
  return c;
}
let txFirstWrite: string | null = null;

/** "update devices", "insert into commands": the verb and table of a write, for grouping. */
function writeKey(sql: string): string | null {
  const m = /^\s*(insert into|update|delete from|replace into)\s+"?([a-z_]+)"?/i.exec(sql);
  return m ? `${(m[1] as string).toLowerCase()} ${m[2]}` : null;
}

export function resetCounters(): void {
  for (const c of Object.values(counters) as Counter[]) {
    c.count = 0;
    c.ms = 0;
  }
  commitsBySource.clear();
  timeBySql.clear();
}

export function snapshotCounters(): Counters & {
  commitsBySource: [string, number][];
  timeBySql: [string, Counter][];
} {
  return {
    ...structuredClone(counters),
    commitsBySource: [...commitsBySource.entries()].sort((a, b) => b[1] - a[1]),
    timeBySql: structuredClone([...timeBySql.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)),
  };
}

function noteStatement(stmt: { source: string; database: { inTransaction: boolean } }): void {
  const sql = stmt.source.trim().toLowerCase();
  if (sql === "commit") {
    const key = `tx: ${txFirstWrite ?? "(reads only)"}`;
    commitsBySource.set(key, (commitsBySource.get(key) ?? 0) + 1);
    txFirstWrite = null;
    return;
  }
  if (sql === "begin" || sql === "rollback") {
    txFirstWrite = null;
    return;
  }
  const key = writeKey(stmt.source);
  if (!key) return;
  if (stmt.database.inTransaction) txFirstWrite ??= key;
  else commitsBySource.set(key, (commitsBySource.get(key) ?? 0) + 1);
}

type Fn = (...args: unknown[]) => unknown;

function timed(
  target: Record<string, unknown>,
  name: string,
  pick: (self: unknown, args: unknown[]) => Counter,
  also?: (self: unknown) => Counter,
) {
  const original = target[name] as Fn;
  target[name] = function (this: unknown, ...args: unknown[]) {
    const c = pick(this, args);
    const t = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      const ms = performance.now() - t;
      c.ms += ms;
      c.count++;
      if (also) {
        const a = also(this);
        a.ms += ms;
        a.count++;
      }
    }
  };
}

let installed = false;

/** Wraps SQLite statements and Ed25519 sign/verify in this process; call before the server starts. */
export function installCounters(): void {
  if (installed) return;
  installed = true;
  const probe = new SqliteDatabase(":memory:");
  const statementProto = Object.getPrototypeOf(probe.prepare("select 1")) as Record<string, unknown>;
  probe.close();
  timed(SqliteDatabase.prototype as unknown as Record<string, unknown>, "prepare", () => counters.prepare);
  type Stmt = { reader: boolean; source: string; database: { inTransaction: boolean } };
  // Reads, and writes with RETURNING (Kysely runs those with all()).
  for (const name of ["all", "get", "iterate"]) {
    timed(
      statementProto,
      name,
      (self) => {
        const stmt = self as Stmt;
        noteStatement(stmt);
        if (!writeKey(stmt.source)) return counters.read;
        return stmt.database.inTransaction ? counters.writeInTx : counters.autocommit;
      },
      (self) => sqlCounter((self as Stmt).source),
    );
  }
  // Decided before the call: a COMMIT ends the transaction it belongs to.
  timed(
    statementProto,
    "run",
    (self) => {
      const stmt = self as Stmt;
      noteStatement(stmt);
      const sql = stmt.source.trim().toLowerCase();
      if (sql === "commit") return counters.commit;
      if (sql === "begin") return counters.begin;
      if (stmt.reader) return counters.read;
      return stmt.database.inTransaction ? counters.writeInTx : counters.autocommit;
    },
    (self) => sqlCounter((self as Stmt).source),
  );
  timed(crypto as unknown as Record<string, unknown>, "sign", () => counters.sign);
  timed(crypto as unknown as Record<string, unknown>, "verify", () => counters.verify);
  // Modules imported `{ sign, verify } from "node:crypto"`; make their bindings see the wrappers.
  syncBuiltinESMExports();
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export class Profiler {
  private readonly session = new Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post("Profiler.enable");
    await this.session.post("Profiler.setSamplingInterval", { interval: 250 });
    await this.session.post("Profiler.start");
  }

  /** Stops, writes the .cpuprofile (open it in Chrome DevTools or speedscope) and returns a summary. */
  async stop(outFile: string): Promise<string[]> {
    const { profile } = (await this.session.post("Profiler.stop")) as unknown as { profile: CpuProfile };
    this.session.disconnect();
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, JSON.stringify(profile));
    return summarize(profile);
  }
}

/** Self time by function and by where the code lives (package, or native for C++ bindings). */
function summarize(profile: CpuProfile): string[] {
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const selfMs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    // The time until the next sample belongs to this one.
    const dt = (deltas[i + 1] ?? 0) / 1000;
    selfMs.set(id, (selfMs.get(id) ?? 0) + dt);
  }
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  // Entry points: the outermost frame in our own code (packages/*/src) of each sample. An async
  // function resumed after an await starts a new stack, so this names the step that ran.
  const parent = new Map<number, number>();
  const nodes = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    nodes.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const entryOf = new Map<number, string>();
  const entry = (id: number): string => {
    const known = entryOf.get(id);
    if (known !== undefined) return known;
    const node = nodes.get(id) as ProfileNode;
    const up = parent.get(id);
    const outer = up === undefined ? "" : entry(up);
    const { functionName, url } = node.callFrame;
    const own = /\/packages\/[^/]+\/src\//.test(url) ? `${functionName || "(anonymous)"} ${shortUrl(url)}` : "";
    const result = outer || own;
    entryOf.set(id, result);
    return result;
  };
  const byEntry = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    const key = entry(node.id) || `(outside our code) ${placeOf(node.callFrame.functionName, node.callFrame.url)}`;
    byEntry.set(key, (byEntry.get(key) ?? 0) + ms);
  }
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const place = placeOf(functionName, url);
    const fn = `${functionName || "(anonymous)"} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ""}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
  }
  const pct = (ms: number) => `${((ms / totalMs) * 100).toFixed(1).padStart(5)}%`;
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => `  ${pct(ms)}  ${name}`);
  return [
    `CPU profile of the server process, ${totalMs.toFixed(0)} ms, self time by place:`,
    ...top(byPlace, 22),
    "self time by function:",
    ...top(byFunction, 30),
    "total time by entry point (outermost frame in packages/*/src, else the library):",
    ...top(byEntry, 30),
  ];
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm + "node_modules/".length);
  const pk = url.indexOf("/packages/");
  if (pk >= 0) return url.slice(pk + 1);
  return url.replace(/^file:\/\//, "");
}

function placeOf(functionName: string, url: string): string {
  if (!url) {
    if (functionName.startsWith("(")) return functionName; // (garbage collector), (idle), (program)
    return `native: ${functionName}`;
  }
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return (rest[0] as string).startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] as string);
  }
  const pk = /\/packages\/([^/]+)\/src\/(.+)$/.exec(url);
  if (pk) return `@threshold/${pk[1]}: ${pk[2]}`;
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  return shortUrl(url);
}

/**
 * Experiments, never the default: `--what-if=stmt-cache` keeps one prepared statement per SQL
 * text (Kysely's SQLite driver prepares every query anew); `--what-if=sync-normal` runs the
 * server's connection with synchronous=NORMAL (commits stop waiting for fsync — NOT durable, an
 * upper bound for what group commit could win, not a setting to ship).
 */
export type WhatIf = "stmt-cache" | "sync-normal" | "no-autocheckpoint" | "cache-64m";

/** Installs the statement cache in this process; call before the server opens its database. */
export function installStatementCache(): void {
  const proto = SqliteDatabase.prototype as unknown as Record<string, unknown>;
  const prepare = proto.prepare as (this: object, source: string) => { reader: boolean };
  const caches = new WeakMap<object, Map<string, unknown>>();
  proto.prepare = function (this: object, source: string) {
    let cache = caches.get(this);
    if (!cache) {
      cache = new Map();
      caches.set(this, cache);
    }
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = prepare.call(this, source);
      cache.set(source, stmt);
    }
    return stmt;
  };
}

/** The disk's bare durable-commit cost right now: single-row WAL commits with synchronous=FULL, µs each. */
export function probeCommitMicros(dir: string, count = 1000): number {
  const file = path.join(dir, "commit-probe.db");
  const db = new SqliteDatabase(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec("create table t (id integer primary key, v text)");
    const insert = db.prepare("insert into t (v) values (?)");
    const payload = "x".repeat(300);
    for (let i = 0; i < 50; i++) insert.run(payload);
    const t = performance.now();
    for (let i = 0; i < count; i++) insert.run(payload);
    return ((performance.now() - t) / count) * 1000;
  } finally {
    db.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  }
}

/** Ed25519 sign and verify of a command-sized message on this machine now, in µs each (keys made once). */
export function probeEd25519Micros(count = 2000): { signUs: number; verifyUs: number } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
  const message = Buffer.alloc(400, 0x61);
  let signature = crypto.sign(null, message, privateKey);
  let at = performance.now();
  for (let i = 0; i < count; i++) signature = crypto.sign(null, message, privateKey);
  const signUs = ((performance.now() - at) * 1000) / count;
  at = performance.now();
  for (let i = 0; i < count; i++) crypto.verify(null, message, publicKey, signature);
  const verifyUs = ((performance.now() - at) * 1000) / count;
  return { signUs, verifyUs };
}
