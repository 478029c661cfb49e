import { useEffect, useState } from "react";

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function minutesAndSeconds(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/**
 * Time left before the visit must be secured. A timer (not a live region): screen readers read it
 * when asked, not every second.
 */
export function Countdown({ deadlineAt }: { deadlineAt: string }) {
  const left = new Date(deadlineAt).getTime() - useNow(1000);
  if (left <= 0) {
    return (
      <p className="countdown countdown-over" role="alert">
        Time is up: close the door and tap Done now.
      </p>
    );
  }
  return (
    <p className="countdown">
      <span role="timer" aria-label="Time left to finish" className="countdown-time">
        {minutesAndSeconds(left)}
      </span>{" "}
      left to finish
    </p>
  );
}
