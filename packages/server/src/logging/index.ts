/** The server's JSON logs (docs/operations.md, "Logs"): pid and hostname on every line, secrets never. */
export { createLogger, REDACTED_PATHS } from "./logger.js";
export { REDACTED, redactUrl, SECRET_PATH_PREFIXES } from "./secret-paths.js";
