import fs from "node:fs";

/** Removes the run's data directory (database, keys, device identities) once the server has stopped. */
export default function teardown(): void {
  const dir = process.env.E2E_DATA_DIR;
  if (dir?.includes("threshold-e2e-")) fs.rmSync(dir, { recursive: true, force: true });
}
