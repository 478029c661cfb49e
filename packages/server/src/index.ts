export * from "./config.js";
export * from "./db/database.js";
export { rotateServerKey } from "./modules/keys/rotation.js";
export * from "./openapi.js";
export * from "./server.js";
