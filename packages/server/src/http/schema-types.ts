import Type from "typebox";

/** An instant in an API response: ISO 8601 in UTC. */
export const Time = (description?: string) =>
  Type.String({ format: "date-time", ...(description ? { description } : {}) });

/** An instant that may not have happened yet. */
export const NullableTime = (description?: string) =>
  Type.Union([Time(), Type.Null()], description ? { description } : {});
