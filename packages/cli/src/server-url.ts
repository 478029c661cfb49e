import type { Command } from "commander";

/** Where `threshold serve` listens when PORT is not set (the server's config says the same). */
const DEFAULT_PORT = "8080";

/**
 * The URL of the local server, found the way `threshold serve` finds its own: PUBLIC_URL when set,
 * otherwise http://localhost:PORT. An empty variable counts as unset, like an unset one.
 */
export function defaultServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  const publicUrl = env.PUBLIC_URL?.trim();
  if (publicUrl) return publicUrl.replace(/\/+$/, "");
  return `http://localhost:${env.PORT?.trim() || DEFAULT_PORT}`;
}

/** How --server is described wherever a command talks to the server. */
export const SERVER_OPTION_HELP = "the Threshold server (default: PUBLIC_URL, else http://localhost:PORT)";

/** The --server option every command that talks to the server takes, defaulting as above. */
export function withServerOption(command: Command): Command {
  return command.option("--server <url>", SERVER_OPTION_HELP, defaultServerUrl());
}

/**
 * A fetch for `serverUrl` whose network failures (refused, unknown host, bad URL) say which URL
 * was tried and what to do, instead of Node's bare "fetch failed". HTTP errors pass through.
 */
export function fetchFrom(serverUrl: string): typeof globalThis.fetch {
  return async (input, init) => {
    try {
      return await globalThis.fetch(input, init);
    } catch (error) {
      throw new Error(
        `could not reach the server at ${serverUrl}: ${causeOf(error)}. Is \`threshold serve\` (or \`npm start\`) running? Pass --server <url>.`,
      );
    }
  };
}

function causeOf(error: unknown): string {
  // undici puts the socket's own error (ECONNREFUSED, ENOTFOUND…) in `cause`; that is the useful part.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
