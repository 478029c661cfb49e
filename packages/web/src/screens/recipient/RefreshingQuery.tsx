import type { ReactNode } from "react";
import { errorMessage } from "../../api";
import { ErrorNote, Spinner } from "../../ui/feedback";
import { formatClock } from "../../ui/format";

/**
 * Like QueryState, for queries that poll: when a refresh fails, what was known stays on screen
 * with a warning of how old it is, instead of vanishing behind an error.
 */
export function RefreshingQuery<T>({
  query,
  loading,
  children,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; dataUpdatedAt: number };
  loading: string;
  children: (data: T) => ReactNode;
}) {
  if (query.data === undefined) {
    return query.isError ? <ErrorNote error={query.error} /> : <Spinner label={loading} />;
  }
  return (
    <>
      {query.isError ? (
        <p className="note note-warn" role="status">
          Could not refresh: {errorMessage(query.error)} Showing what was known at{" "}
          {formatClock(new Date(query.dataUpdatedAt).toISOString())}.
        </p>
      ) : null}
      {children(query.data)}
    </>
  );
}
