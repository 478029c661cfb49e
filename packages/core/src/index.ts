export * from "./audit-chain.js";
export * from "./canonical-json.js";
export * from "./clock.js";
export * from "./consent.js";
export * from "./errors.js";
export * from "./geo.js";
export * from "./ids.js";
export * from "./roles.js";
