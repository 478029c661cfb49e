import { type ReactNode, useId } from "react";

/**
 * A wide table in a region that scrolls sideways on a phone: named, reachable with Tab and scrolled
 * with the arrow keys (a scroll region nobody can focus is out of reach of a keyboard), with a hint
 * above it on narrow screens and a shadow at the edge where columns are cut.
 */
export function ScrollTable({
  label,
  className,
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  const hintId = useId();
  return (
    <div className="scroll-table">
      <p id={hintId} className="scroll-table-hint small muted">
        Swipe the table sideways, or focus it and use the arrow keys, to see every column.
      </p>
      <section
        className={["table-wrap", "card", className ?? ""].filter(Boolean).join(" ")}
        aria-label={label}
        aria-describedby={hintId}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scroll region must take focus to be scrolled from the keyboard.
        tabIndex={0}
      >
        {children}
      </section>
    </div>
  );
}
