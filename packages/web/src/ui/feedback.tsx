import type { ReactNode } from "react";
import { errorMessage } from "../api";

export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner" role="status">
      <span className="spinner-ring" aria-hidden="true" />
      {label}
    </span>
  );
}

/** A failed call, said plainly, with the server's sentence. */
export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  return (
    <div className="note note-error" role="alert">
      {title ? <strong>{title} </strong> : null}
      {errorMessage(error)}
    </div>
  );
}

export function FullPageMessage({ children }: { children: ReactNode }) {
  return <main className="full-page">{children}</main>;
}

/** Loading, failure or content of one query, so every screen says the same thing the same way. */
export function QueryState<T>({
  query,
  loading,
  children,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined };
  loading: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Spinner label={loading} />;
  if (query.isError) return <ErrorNote error={query.error} />;
  return <>{children(query.data as T)}</>;
}
