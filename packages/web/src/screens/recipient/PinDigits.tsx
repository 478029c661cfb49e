/** A guest key's PIN, large and spaced for reading aloud or typing; screen readers hear "PIN" first. */
export function PinDigits({ pin, large = false }: { pin: string; large?: boolean }) {
  return (
    <p className={`gk-pin${large ? " gk-pin-large" : ""}`} data-testid="pin">
      <span className="rh-visually-hidden">PIN </span>
      {pin}
    </p>
  );
}
