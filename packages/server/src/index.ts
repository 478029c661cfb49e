export { type AuditActor, type AuditInput, AuditLog, SYSTEM_ACTOR } from "./audit/audit-log.js";
export * from "./backup/index.js";
export * from "./config.js";
export * from "./db/database.js";
export { createAccount, createCarrier } from "./modules/auth/accounts.js";
export { rotateServerKey } from "./modules/keys/rotation.js";
export { rescheduleShipment } from "./modules/shipments/index.js";
export * from "./openapi.js";
export * from "./server.js";
