import { type components, createThresholdClient, type paths, ThresholdApiError, unwrap } from "@threshold/sdk";

/**
 * The one client of the Threshold API. Same origin: the browser keeps the HTTP-only session
 * cookie and sends it itself, so no token ever reaches JavaScript.
 */
export const api = createThresholdClient({ baseUrl: window.location.origin });

export type { components, paths };
export { ThresholdApiError, unwrap };

/** The signed-in person, as `GET /v1/me` describes them. */
export type Me = Extract<
  paths["/v1/me"]["get"]["responses"]["200"]["content"]["application/json"],
  { kind: "user" }
>["user"];
export type Role = Me["role"];

/** A sentence for people: the server's own message when it sent one, else what to try next. */
export function errorMessage(error: unknown): string {
  if (error instanceof ThresholdApiError) return error.message;
  if (error instanceof TypeError) return "Cannot reach Threshold. Check your connection and try again.";
  return error instanceof Error ? error.message : "Something went wrong. Try again.";
}

/** The stable error code, when the server sent one (e.g. `not_found`, `unauthenticated`). */
export function errorCode(error: unknown): string | null {
  return error instanceof ThresholdApiError ? error.code : null;
}
