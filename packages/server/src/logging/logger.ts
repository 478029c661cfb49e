import type { DestinationStream, Logger } from "pino";
import pino from "pino";
import type { Config } from "../config.js";
import { REDACTED, redactUrl } from "./secret-paths.js";

/**
 * Fields that may hold a secret wherever a log call puts them: credentials in headers, and
 * passwords, tokens, secrets, PINs and codes at the top level or one level down. Pino replaces
 * them with `[redacted]` before a line is written.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...["password", "token", "secret", "pin", "pickupCode", "pollToken", "apiKey", "sessionToken"].flatMap((key) => [
    key,
    `*.${key}`,
  ]),
];

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * The server's logger: one JSON object per line on stdout, with pino's `pid` and `hostname` on
 * every line (several processes behind one log collector stay apart), `time` in epoch ms, and
 * `reqId` on request lines. Requests are logged with their URL redacted (secret paths, query
 * values), never with their headers or bodies.
 */
export function createLogger(config: Pick<Config, "logLevel">, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    serializers: {
      // Replaces Fastify's request serializer (which logs the raw URL): the same fields, the URL redacted.
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
