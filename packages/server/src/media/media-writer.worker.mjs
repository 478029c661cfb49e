// A media writer thread (media-writers.ts). Plain JavaScript because it runs without the
// TypeScript loader the main thread has.
//
// It does a put's whole job with blocking calls, which stall only this thread: checks the bytes'
// SHA-256, writes them to a temporary file, fsyncs it, renames it over the real name and fsyncs
// the directory. The server's event loop pays one message for all of it instead of a trip
// through libuv's thread pool per call, and hashing a segment no longer runs on the event loop.
import { createHash } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { setPriority } from "node:os";
import { dirname } from "node:path";
import { parentPort } from "node:worker_threads";

// On Linux a priority is a thread's own, and 0 means this thread. A writer woken on a busy machine
// otherwise takes the event loop's core for as long as it hashes and writes (seen as 260 µs per
// postMessage in profiles). Not lower than 8: at 19 the writers starved under load and cameras
// fell behind their cadence (bench/README.md). Elsewhere (macOS) a priority is the whole
// process's, so the writers are left as they are.
if (process.platform === "linux") {
  try {
    setPriority(0, 8);
  } catch {
    // Not allowed here: the writers run at the server's priority.
  }
}

parentPort.on("message", (job) => {
  try {
    parentPort.postMessage({ id: job.id, outcome: put(job) });
  } catch (error) {
    parentPort.postMessage({ id: job.id, outcome: "failed", message: String(error?.message), code: error?.code });
  }
});

/** @returns {"stored" | "digest_mismatch"} */
function put({ bytes, sha256, temporary, target }) {
  if (sha256 !== undefined && createHash("sha256").update(bytes).digest("hex") !== sha256) return "digest_mismatch";
  try {
    const fd = openMakingDirectory(temporary);
    try {
      for (let written = 0; written < bytes.byteLength; ) {
        written += writeSync(fd, bytes, written, bytes.byteLength - written);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameMakingDirectory(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectory(dirname(target));
  return "stored";
}

// Directories are made when missing rather than checked first: a put then costs no extra call,
// and one removed behind the store's back is simply made again.
function openMakingDirectory(file) {
  try {
    return openSync(file, "wx", 0o600);
  } catch (error) {
    if (error?.code !== "ENOENT") throw error;
    mkdirSync(dirname(file), { recursive: true });
    return openSync(file, "wx", 0o600);
  }
}

function renameMakingDirectory(from, to) {
  try {
    renameSync(from, to);
  } catch (error) {
    if (error?.code !== "ENOENT") throw error;
    mkdirSync(dirname(to), { recursive: true });
    renameSync(from, to);
  }
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
function syncDirectory(directory) {
  const fd = openSync(directory, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
