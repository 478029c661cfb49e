/**
 * OpenAPI `security` requirements, matching the schemes declared in http/app.ts. They document
 * which credentials a route takes; the authenticator and the services enforce them.
 */
type SecurityRequirements = Record<string, string[]>[];

export const SESSION_ONLY: SecurityRequirements = [{ session: [] }];
export const SESSION_OR_API_KEY: SecurityRequirements = [{ session: [] }, { apiKey: [] }];
export const PUBLIC: SecurityRequirements = [];
