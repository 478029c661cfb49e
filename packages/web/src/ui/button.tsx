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

/**
 * An on/off switch (role="switch"), labelled by its text; `onSwitch` gets the state asked for.
 * `tone` says what "on" means: "alarm" for a switch that stops things (drawn red when on), "calm"
 * for one that allows or adds something (drawn as an ordinary, healthy on).
 */
export function Switch({
  checked,
  onSwitch,
  tone,
  children,
  ...rest
}: Omit<ButtonHTMLAttributes<HTMLButtonElement>, "onClick" | "role" | "type"> & {
  checked: boolean;
  onSwitch: (next: boolean) => void;
  tone: "alarm" | "calm";
  children: ReactNode;
}) {
  return (
    <button
      {...rest}
      type="button"
      role="switch"
      className={`switch switch-${tone}`}
      aria-checked={checked}
      onClick={() => onSwitch(!checked)}
    >
      <span>{children}</span>
      <span className="switch-track" aria-hidden="true" />
    </button>
  );
}
