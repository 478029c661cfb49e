import { useEffect, useRef, useState } from "react";
import { useParams } from "react-router";
import { api, errorCode, errorMessage, ThresholdApiError, unwrap } from "../../api";
import { type DropOffAnswer, useDoesNotFit, useDropOff, useKioskCode, useLockerBank } from "../../lockers";
import { useLabelScanner } from "../../scan/use-label-scanner";
import { Button } from "../../ui/button";
import { QueryState } from "../../ui/feedback";
import "../courier/courier.css";
import { DemoHands } from "./DemoHands";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"] as const;
/** The kiosk returns to code entry by itself, so the next person never sees the last one's answer. */
const RESET_MS = 20_000;

/**
 * The bank's own touch screen (`/kiosk/{bankId}`): residents type a pickup code (or a return's
 * drop code), or hold a pickup QR to the camera; couriers sign in for courier mode and scan
 * parcels in. Large targets, one thing at a time, no account needed for pickup.
 */
export function Kiosk() {
  const { bankId = "" } = useParams();
  const bank = useLockerBank(bankId);
  const [mode, setMode] = useState<"pickup" | "courier-signin" | "courier">("pickup");
  return (
    <main className="lk-kiosk">
      <QueryState query={bank} loading="Starting…">
        {(b) => (
          <>
            <header className="lk-kiosk-head">
              <h1>{b.name}</h1>
              {!b.online ? <p className="small">Offline: codes still work at the keypad.</p> : null}
            </header>
            {mode === "pickup" ? <CodeEntry bankId={bankId} /> : null}
            {mode === "courier-signin" ? (
              <CourierSignIn onSignedIn={() => setMode("courier")} onCancel={() => setMode("pickup")} />
            ) : null}
            {mode === "courier" ? <CourierMode bankId={bankId} onDone={() => setMode("pickup")} /> : null}
            {mode === "pickup" ? (
              <Button variant="ghost" className="lk-courier-link" onClick={() => setMode("courier-signin")}>
                Courier? Sign in
              </Button>
            ) : null}
          </>
        )}
      </QueryState>
    </main>
  );
}

/** Answers about the code itself, whose own sentence says it all. */
const SAID_AS_IS = new Set(["wrong_pickup_code", "already_collected", "kiosk_locked_out"]);

/** A lockout says until when, by the clock on the wall, so the resident knows whether to wait. */
function LockedUntil({ error }: { error: unknown }) {
  if (!(error instanceof ThresholdApiError) || error.code !== "kiosk_locked_out") return null;
  const details = error.details as { until?: string; retryAfterS?: number } | null;
  if (!details?.until) return null;
  const until = new Date(details.until).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const minutes = Math.ceil((details.retryAfterS ?? 60) / 60);
  return (
    <p className="lk-big" data-testid="kiosk-locked-until">
      Locked until {until} ({minutes} {minutes === 1 ? "minute" : "minutes"})
    </p>
  );
}

function CodeEntry({ bankId }: { bankId: string }) {
  const [code, setCode] = useState("");
  const submit = useKioskCode(bankId);
  useEffect(() => {
    if (!submit.isSuccess && !submit.isError) return;
    const timer = setTimeout(() => {
      submit.reset();
      setCode("");
    }, RESET_MS);
    return () => clearTimeout(timer);
  }, [submit.isSuccess, submit.isError, submit.reset]);

  if (submit.isSuccess) {
    return (
      <section className="lk-answer lk-answer-ok" role="status" aria-live="polite">
        <p className="lk-big">Compartment {submit.data.compartment} is open</p>
        <p>
          {submit.data.kind === "pickup"
            ? "Take your parcel and close the door."
            : "Put your return in and close the door."}
        </p>
        <DemoHands
          bankId={bankId}
          compartment={submit.data.compartment}
          intent={submit.data.kind === "pickup" ? "take" : "put"}
        />
        <Button
          size="large"
          onClick={() => {
            submit.reset();
            setCode("");
          }}
        >
          Done
        </Button>
      </section>
    );
  }
  const press = (key: (typeof KEYS)[number]) => {
    if (key === "clear") setCode("");
    else if (key === "back") setCode((c) => c.slice(0, -1));
    else setCode((c) => (c.length < 12 ? c + key : c));
  };
  const fromQr = (text: string) => {
    const match = /^threshold:pickup:[^:]+:([0-9]{8})$/.exec(text.trim());
    if (match?.[1]) submit.mutate(match[1]);
  };
  return (
    <section className="lk-entry" aria-label="Pickup">
      <label className="lk-display">
        <span>Type your pickup or drop-off code</span>
        <input
          inputMode="numeric"
          autoComplete="off"
          value={code}
          aria-label="Code"
          onChange={(e) => {
            const value = e.target.value.trim();
            if (value.startsWith("threshold:")) fromQr(value);
            else setCode(value.replace(/[^0-9]/g, "").slice(0, 12));
          }}
        />
      </label>
      <div className="lk-keys">
        {KEYS.map((key) => (
          <button
            key={key}
            type="button"
            className="lk-key"
            onClick={() => press(key)}
            aria-label={key === "back" ? "Delete" : key === "clear" ? "Clear" : key}
          >
            {key === "back" ? "⌫" : key === "clear" ? "C" : key}
          </button>
        ))}
      </div>
      <Button
        size="large"
        className="lk-open"
        disabled={code.length < 6}
        pending={submit.isPending}
        pendingLabel="Opening…"
        onClick={() => submit.mutate(code)}
      >
        Open
      </Button>
      {submit.isError ? (
        <div className="note note-error lk-error" role="alert">
          <p>
            {SAID_AS_IS.has(errorCode(submit.error) ?? "")
              ? errorMessage(submit.error)
              : `Not opened. ${errorMessage(submit.error)}`}
          </p>
          <LockedUntil error={submit.error} />
        </div>
      ) : null}
      <QrScanner onCode={fromQr} />
    </section>
  );
}

/** The kiosk's camera reading a pickup QR code from the resident's phone: the same as typing its code. */
function QrScanner({ onCode }: { onCode: (text: string) => void }) {
  const [scanning, setScanning] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const phase = useLabelScanner(video, scanning, {
    onCode: (text) => {
      setScanning(false);
      onCode(text);
    },
    onFailure: (message) => {
      setScanning(false);
      setProblem(message);
    },
  });
  return (
    <div className="stack">
      {scanning ? (
        <div className="video-panel camera-panel">
          <video ref={video} className="camera-video" aria-label="Camera preview" playsInline muted />
          <p className="camera-hint" role="status">
            {phase === "scanning"
              ? "Hold the QR code from your Threshold app up to the camera"
              : "Starting the camera…"}
          </p>
        </div>
      ) : null}
      <Button
        variant="secondary"
        size="large"
        onClick={() => {
          setProblem(null);
          setScanning((on) => !on);
        }}
      >
        {scanning ? "Stop the camera" : "Show a QR code instead"}
      </Button>
      {problem ? <p className="note note-error">{problem}</p> : null}
    </div>
  );
}

function CourierSignIn({ onSignedIn, onCancel }: { onSignedIn: () => void; onCancel: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  return (
    <form
      className="lk-entry stack"
      aria-label="Courier sign-in"
      onSubmit={async (event) => {
        event.preventDefault();
        setPending(true);
        setError(null);
        try {
          unwrap(await api.POST("/v1/auth/login", { body: { email, password } }));
          onSignedIn();
        } catch (e) {
          setError(errorMessage(e));
        } finally {
          setPending(false);
        }
      }}
    >
      <h2>Courier sign-in</h2>
      <label className="stack">
        Email
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="username" />
      </label>
      <label className="stack">
        Password
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          autoComplete="current-password"
        />
      </label>
      <Button size="large" type="submit" pending={pending} pendingLabel="Signing in…">
        Sign in
      </Button>
      <Button variant="ghost" onClick={onCancel}>
        Back
      </Button>
      {error ? <p className="note note-error">{error}</p> : null}
    </form>
  );
}

/** Courier mode: scan (or type) a tracking number, the compartment opens; sign out when done. */
export function CourierMode({ bankId, onDone }: { bankId: string; onDone?: () => void }) {
  const [tracking, setTracking] = useState("");
  const drop = useDropOff(bankId);
  const move = useDoesNotFit();
  const answer: DropOffAnswer | undefined = move.data ?? drop.data;
  const failure = move.error ?? drop.error;
  return (
    <section className="lk-entry stack" aria-label="Courier drop-off">
      <h2>Drop off</h2>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          move.reset();
          drop.mutate(tracking.trim());
        }}
      >
        <label className="stack">
          Tracking number (scan the label)
          <input value={tracking} onChange={(e) => setTracking(e.target.value)} required aria-label="Tracking number" />
        </label>
        <Button size="large" type="submit" pending={drop.isPending} pendingLabel="Opening a compartment…">
          Open a compartment
        </Button>
      </form>
      {answer ? (
        <div className="lk-answer lk-answer-ok" role="status">
          <p className="lk-big">Compartment {answer.compartment} is open</p>
          {answer.skipped.length > 0 ? (
            <p className="small">Compartment {answer.skipped.join(", ")} would not open; the manager is told.</p>
          ) : null}
          <p>Put the parcel in and close the door. The locker confirms it and tells the resident.</p>
          <DemoHands key={answer.compartment} bankId={bankId} compartment={answer.compartment} intent="put" />
          <Button variant="secondary" pending={move.isPending} onClick={() => move.mutate(answer.parcel.id)}>
            It does not fit
          </Button>
        </div>
      ) : null}
      {failure ? <DropOffFailure error={failure} /> : null}
      {onDone ? (
        <Button
          variant="ghost"
          onClick={async () => {
            await api.POST("/v1/auth/logout");
            onDone();
          }}
        >
          Sign out
        </Button>
      ) : null}
    </section>
  );
}

function DropOffFailure({ error }: { error: unknown }) {
  const details =
    error instanceof ThresholdApiError
      ? (error.details as { alternatives?: { name: string; distanceM: number }[]; packageRoom?: string | null } | null)
      : null;
  return (
    <div className="note note-error" role="alert">
      <p>{errorMessage(error)}</p>
      {details?.alternatives && details.alternatives.length > 0 ? (
        <ul>
          {details.alternatives.map((a) => (
            <li key={a.name}>
              {a.name}: {a.distanceM} m
            </li>
          ))}
        </ul>
      ) : null}
      {details?.packageRoom ? <p>Package room: {details.packageRoom}</p> : null}
    </div>
  );
}
