export * from "./config.js";
export * from "./db/database.js";
export * from "./server.js";
