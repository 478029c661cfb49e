export * from "./audit-chain.js";
export * from "./canonical-json.js";
export * from "./clock.js";
export * from "./errors.js";
export * from "./ids.js";
export * from "./roles.js";
