import Type, { type Static } from "typebox";

/** The one error shape every endpoint answers with (DESIGN.md habit 4). */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "Stable, machine-readable code, e.g. not_found, window_closed." }),
      message: Type.String({ description: "A sentence for people, saying what to do next." }),
      requestId: Type.String({ description: "Quote this when reporting a problem." }),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: "ErrorResponse", title: "ErrorResponse" },
);

/** A reference to the shared schema, so the OpenAPI document defines the error shape once. */
const ErrorResponseRef = Type.Unsafe<Static<typeof ErrorResponse>>({ $ref: "ErrorResponse#" });

/** Standard error responses to merge into a route's `response` schema. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponseRef> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorResponseRef]));
}
