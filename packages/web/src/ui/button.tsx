import type { ButtonHTMLAttributes, ReactNode } from "react";

type Variant = "primary" | "secondary" | "danger" | "ghost";

/** A button that shows it is working: disabled with a spinner and its `pendingLabel` while `pending`. */
export function Button({
  pending = false,
  pendingLabel,
  variant = "primary",
  size,
  children,
  className,
  disabled,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  pending?: boolean;
  pendingLabel?: string;
  variant?: Variant;
  size?: "large";
  children: ReactNode;
}) {
  const classes = ["button", `button-${variant}`, size === "large" ? "button-large" : "", className ?? ""];
  return (
    <button
      type="button"
      {...rest}
      className={classes.filter(Boolean).join(" ")}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
    >
      {pending ? <span className="spinner-ring" aria-hidden="true" /> : null}
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}
