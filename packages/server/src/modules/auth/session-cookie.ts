import type { Config } from "../../config.js";
import { SESSION_COOKIE } from "./tokens.js";

/**
 * The session cookie: HttpOnly so scripts cannot read it, SameSite=Lax so other sites cannot
 * send it with their forms, Secure whenever the server is reached over HTTPS.
 */
export function sessionCookie(config: Pick<Config, "publicUrl" | "sessionTtlMs">, token: string): string {
  return serialize(config, token, Math.floor(config.sessionTtlMs / 1000));
}

/** Tells the browser to forget the session cookie. */
export function clearedSessionCookie(config: Pick<Config, "publicUrl">): string {
  return serialize(config, "", 0);
}

function serialize(config: Pick<Config, "publicUrl">, value: string, maxAgeSeconds: number): string {
  const secure = config.publicUrl.startsWith("https:") ? "; Secure" : "";
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAgeSeconds}${secure}`;
}
