import type { ReactNode } from "react";

/**
 * A field's label, control and its problem beneath it. The control gets `aria-invalid` and
 * `aria-describedby` from the caller through `describedBy`, so a screen reader reads the
 * problem when the field is focused.
 */
export function FieldProblemNote({ id, message }: { id: string; message: string | null }) {
  if (!message) return null;
  return (
    <p id={id} className="cr-field-problem" role="alert">
      {message}
    </p>
  );
}

export function FieldHint({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="small muted cr-flush">
      {children}
    </p>
  );
}

/** The ids a control is described by: its hint and, when there is one, its problem. */
export function describedBy(...ids: (string | false | null | undefined)[]): string | undefined {
  const present = ids.filter((id): id is string => typeof id === "string" && id.length > 0);
  return present.length > 0 ? present.join(" ") : undefined;
}
