/**
 * True when a write broke a unique constraint (SQLite or PostgreSQL). Racing requests are decided
 * by the database's constraints; the loser sees this and answers with a clear conflict.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "23505";
}
