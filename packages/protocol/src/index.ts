export * from "./command-verifier.js";
export * from "./examples.js";
export * from "./limits.js";
export * from "./mqtt-connect.js";
export * from "./parse.js";
export * from "./schemas.js";
export * from "./signing.js";
export * from "./topics.js";
