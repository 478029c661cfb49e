import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The connection for pg_dump and pg_restore: the URL without its password on the command line
 * (where `ps` would show it), the password in PGPASSWORD.
 */
function connection(databaseUrl: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = "";
  return { dbname: url.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

async function tool(name: "pg_dump" | "pg_restore", args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run(name, args, { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === "ENOENT") {
      throw new Error(
        `${name} was not found: install PostgreSQL's client tools (the same major version as the server or newer).`,
      );
    }
    throw new Error(`${name} failed: ${(failure.stderr ?? failure.message).trim()}`);
  }
}

/** pg_dump's custom format: one consistent snapshot of the database, taken while the server runs. */
export async function dumpPostgres(databaseUrl: string, file: string): Promise<void> {
  const { dbname, env } = connection(databaseUrl);
  await tool("pg_dump", ["--format=custom", "--no-owner", `--file=${file}`, `--dbname=${dbname}`], env);
}

/** Restores a dump into an empty database, stopping at the first error. */
export async function restorePostgres(databaseUrl: string, file: string): Promise<void> {
  const { dbname, env } = connection(databaseUrl);
  await tool("pg_restore", ["--no-owner", "--exit-on-error", "--single-transaction", `--dbname=${dbname}`, file], env);
}
