/**
 * True when a write broke a unique constraint (SQLite or PostgreSQL). Racing requests are decided
 * by the database's constraints; the loser sees this and answers with a clear conflict.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "23505";
}

/** True when PostgreSQL chose this transaction as a deadlock's victim, or could not serialize it. */
export function isTransactionConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "40P01" || code === "40001";
}

/**
 * Runs a whole transaction again when the database aborted it as a deadlock victim: two writers
 * that met in opposite order, one of which PostgreSQL rolled back. Nothing of the aborted attempt
 * was committed, so running it again is safe.
 */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isTransactionConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
    }
  }
}
