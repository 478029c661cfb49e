import { type FormEvent, useId, useState } from "react";
import { Link } from "react-router";
import { errorMessage } from "../../api";
import { Button } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { formatAgo } from "../../ui/format";
import { browserTimeZone, timeChoices } from "./consent-form";
import {
  describeRules,
  type GuestKey,
  type GuestKeyKind,
  KIND_LABELS,
  type NewGuestKey,
  useGiveGuestKey,
  useGuestKeys,
  useRevokeGuestKey,
} from "./guest-keys-data";
import { type AccessPoint, type Site, useConsent, useSiteDetail, useSites } from "./home-data";
import { PinDigits } from "./PinDigits";
import { RefreshingQuery } from "./RefreshingQuery";
import { WeekdayPicker } from "./WeekdayPicker";

/** Doors whose actuator can be a keypad lock. */
const KEYPAD_DOORS = new Set<AccessPoint["kind"]>(["front_door", "fridge", "building_entrance"]);

const KIND_HINTS: Record<GuestKeyKind, string> = {
  permanent: "Family, until you revoke it.",
  recurring: "A cleaner or dog walker: chosen days and hours.",
  temporary: "A guest staying from one date to another.",
  one_time: "A plumber or a delivery: opens once.",
  expiring: "A babysitter: works for a while from the first use.",
};

const DURATIONS = [
  { minutes: 60, label: "1 hour" },
  { minutes: 180, label: "3 hours" },
  { minutes: 480, label: "8 hours" },
  { minutes: 1440, label: "1 day" },
  { minutes: 4320, label: "3 days" },
  { minutes: 10080, label: "1 week" },
];

/** The recipient's guest keys, per home: give one, share its link, see its uses, revoke it. */
export function GuestKeys() {
  const sites = useSites();
  return (
    <div className="stack gk-page">
      <h1>Guest keys</h1>
      <p className="muted">
        Give a cleaner, a dog walker or family their own PIN for your door, with the days and hours it works. You are
        told every time it is used, and you can revoke it at any moment.
      </p>
      <RefreshingQuery query={sites} loading="Loading your homes…">
        {(list) =>
          list.length === 0 ? (
            <p className="note">You have no homes in Threshold yet.</p>
          ) : (
            list.map((site) => <SiteKeys key={site.id} site={site} />)
          )
        }
      </RefreshingQuery>
    </div>
  );
}

function SiteKeys({ site }: { site: Site }) {
  const headingId = useId();
  const keys = useGuestKeys(site.id);
  const detail = useSiteDetail(site.id);
  const [giving, setGiving] = useState(false);
  const [given, setGiven] = useState<GuestKey | null>(null);
  const doors = (detail.data?.accessPoints ?? []).filter((point) => KEYPAD_DOORS.has(point.kind));
  return (
    <section className="stack" aria-labelledby={headingId}>
      <div className="spread">
        <h2 id={headingId}>{site.name}</h2>
        {!giving && doors.length > 0 && !site.accessBlocked ? (
          <Button
            onClick={() => {
              setGiven(null);
              setGiving(true);
            }}
          >
            Give a key
          </Button>
        ) : null}
      </div>
      {site.accessBlocked ? (
        <p className="note note-warn" role="status">
          All access here is blocked, so every guest key is paused: the lock forgets the PINs until you turn off{" "}
          <Link to="/home">Block all access</Link>. Then they work again, with the same PINs and links.
        </p>
      ) : null}
      {detail.data && doors.length === 0 ? (
        <p className="note">No door with a keypad lock here yet: pair a lock on the Devices page first.</p>
      ) : null}
      {given ? <KeyReady guestKey={given} onDone={() => setGiven(null)} /> : null}
      {giving ? (
        <GiveKeyForm
          siteId={site.id}
          doors={doors}
          onCancel={() => setGiving(false)}
          onGiven={(key) => {
            setGiving(false);
            setGiven(key);
          }}
        />
      ) : null}
      <RefreshingQuery query={keys} loading="Loading keys…">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No guest keys yet.</p>
          ) : (
            <ul className="gk-list" aria-label={`Guest keys of ${site.name}`}>
              {list.map((key) => (
                <KeyCard key={key.id} siteId={site.id} guestKey={key} />
              ))}
            </ul>
          )
        }
      </RefreshingQuery>
    </section>
  );
}

interface Draft {
  name: string;
  kind: GuestKeyKind;
  accessPointId: string;
  weekDays: number[];
  startTime: string;
  endTime: string;
  from: string;
  until: string;
  durationMinutes: number;
}

/** `datetime-local` wants local "YYYY-MM-DDTHH:MM". */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function bodyOf(draft: Draft, timeZone: string): NewGuestKey {
  const body: NewGuestKey = { name: draft.name.trim(), kind: draft.kind, accessPointId: draft.accessPointId };
  if (draft.kind === "recurring") {
    Object.assign(body, {
      weekDays: [...draft.weekDays].sort(),
      startTime: draft.startTime,
      endTime: draft.endTime,
      timeZone,
    });
  }
  if (draft.kind === "temporary") {
    Object.assign(body, {
      validFrom: new Date(draft.from).toISOString(),
      validUntil: new Date(draft.until).toISOString(),
    });
  }
  if (draft.kind === "expiring") body.expiresAfterFirstUseMinutes = draft.durationMinutes;
  return body;
}

function problemOf(draft: Draft): string | null {
  if (!draft.name.trim()) return "Say who the key is for, so you recognise them when they use it.";
  if (draft.kind === "recurring" && draft.weekDays.length === 0) return "Tick at least one day.";
  if (draft.kind === "recurring" && draft.startTime >= draft.endTime) return "The end time must be after the start.";
  if (draft.kind === "temporary" && !(draft.from && draft.until && draft.until > draft.from)) {
    return "Choose when the key starts and, after that, when it ends.";
  }
  return null;
}

function GiveKeyForm({
  siteId,
  doors,
  onCancel,
  onGiven,
}: {
  siteId: string;
  doors: AccessPoint[];
  onCancel(): void;
  onGiven(key: GuestKey): void;
}) {
  const give = useGiveGuestKey(siteId);
  const ids = {
    name: useId(),
    door: useId(),
    start: useId(),
    end: useId(),
    from: useId(),
    until: useId(),
    dur: useId(),
  };
  const now = Date.now();
  const [draft, setDraft] = useState<Draft>({
    name: "",
    kind: "recurring",
    accessPointId: doors.find((d) => d.kind === "front_door")?.id ?? doors[0]?.id ?? "",
    weekDays: [1, 2, 3, 4, 5],
    startTime: "09:00",
    endTime: "17:00",
    from: localInput(now),
    until: localInput(now + 2 * 86_400_000),
    durationMinutes: 180,
  });
  const [problem, setProblem] = useState<string | null>(null);
  const consent = useConsent(draft.accessPointId);
  const timeZone = consent.data?.consent?.timezone ?? browserTimeZone();
  const change = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = problemOf(draft);
    setProblem(found);
    if (found) return;
    give.mutate(bodyOf(draft, timeZone), { onSuccess: onGiven });
  };

  return (
    <form className="card stack gk-form" onSubmit={submit} noValidate aria-label="Give a key">
      <div className="rh-field">
        <label htmlFor={ids.name}>Who is it for?</label>
        <input
          id={ids.name}
          value={draft.name}
          maxLength={60}
          placeholder="Maria (cleaner)"
          onChange={(e) => change({ name: e.target.value })}
        />
      </div>
      {doors.length > 1 ? (
        <div className="rh-field">
          <label htmlFor={ids.door}>Door</label>
          <select id={ids.door} value={draft.accessPointId} onChange={(e) => change({ accessPointId: e.target.value })}>
            {doors.map((door) => (
              <option key={door.id} value={door.id}>
                {door.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <fieldset className="rh-fieldset">
        <legend>When does it work?</legend>
        {(Object.keys(KIND_LABELS) as GuestKeyKind[]).map((kind) => (
          <label key={kind} className="checkbox rh-method">
            <input type="radio" name="kind" checked={draft.kind === kind} onChange={() => change({ kind })} />
            <span>
              {KIND_LABELS[kind]}
              <span className="small muted rh-method-hint">{KIND_HINTS[kind]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {draft.kind === "recurring" ? (
        <fieldset className="rh-fieldset">
          <legend>Days and hours</legend>
          <WeekdayPicker days={draft.weekDays} onChange={(weekDays) => change({ weekDays })} />
          <div className="rh-hours">
            <TimeSelect
              id={ids.start}
              label="From"
              end="from"
              value={draft.startTime}
              onChange={(v) => change({ startTime: v })}
            />
            <TimeSelect
              id={ids.end}
              label="To"
              end="to"
              value={draft.endTime}
              onChange={(v) => change({ endTime: v })}
            />
          </div>
          <p className="small muted">Times are in {timeZone.replaceAll("_", " ")}, the home's time zone.</p>
        </fieldset>
      ) : null}
      {draft.kind === "temporary" ? (
        <div className="rh-hours">
          <div className="rh-field">
            <label htmlFor={ids.from}>From</label>
            <input
              id={ids.from}
              type="datetime-local"
              value={draft.from}
              onChange={(e) => change({ from: e.target.value })}
            />
          </div>
          <div className="rh-field">
            <label htmlFor={ids.until}>Until</label>
            <input
              id={ids.until}
              type="datetime-local"
              value={draft.until}
              onChange={(e) => change({ until: e.target.value })}
            />
          </div>
        </div>
      ) : null}
      {draft.kind === "expiring" ? (
        <div className="rh-field">
          <label htmlFor={ids.dur}>Works for, from the first use</label>
          <select
            id={ids.dur}
            value={draft.durationMinutes}
            onChange={(e) => change({ durationMinutes: Number(e.target.value) })}
          >
            {DURATIONS.map((d) => (
              <option key={d.minutes} value={d.minutes}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {problem ? (
        <p className="note note-error" role="alert">
          {problem}
        </p>
      ) : null}
      {give.isError ? <ErrorNote error={give.error} title="The key was not given" /> : null}
      <div className="row">
        <Button type="submit" pending={give.isPending} pendingLabel="Setting it on the lock…">
          Give key
        </Button>
        <Button variant="ghost" onClick={onCancel} disabled={give.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function TimeSelect(props: {
  id: string;
  label: string;
  end: "from" | "to";
  value: string;
  onChange(v: string): void;
}) {
  return (
    <div className="rh-field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {timeChoices(props.end, props.value).map((time) => (
          <option key={time} value={time}>
            {time}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Right after giving: the PIN and the link to send, or why the lock did not take it. */
function KeyReady({ guestKey, onDone }: { guestKey: GuestKey; onDone(): void }) {
  if (guestKey.status === "failed") {
    return (
      <div className="note note-error stack" role="alert">
        <p>
          The lock did not take the key for {guestKey.name}
          {guestKey.failureReason?.startsWith("timed_out") ? ": it is offline." : "."} Check that the lock is online on
          the Devices page, then give the key again.
        </p>
        <Button variant="secondary" onClick={onDone}>
          OK
        </Button>
      </div>
    );
  }
  return (
    <section className="card stack gk-ready" aria-label="Key ready">
      <p className="note note-ok">
        {guestKey.name}'s key is on the lock. Send them the link: it shows the PIN and when it works.
      </p>
      <PinDigits pin={guestKey.pin ?? ""} />
      <ShareLink url={guestKey.shareUrl ?? ""} name={guestKey.name} />
      <Button variant="ghost" onClick={onDone}>
        Done
      </Button>
    </section>
  );
}

function ShareLink({ url, name }: { url: string; name: string }) {
  const [copied, setCopied] = useState(false);
  const canShare = typeof navigator.share === "function";
  return (
    <div className="stack gk-share">
      <input readOnly value={url} aria-label="Share link" onFocus={(e) => e.target.select()} />
      <div className="row">
        <Button
          variant="secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(url).then(() => setCopied(true));
          }}
        >
          {copied ? "Copied" : "Copy link"}
        </Button>
        {canShare ? (
          <Button
            variant="secondary"
            onClick={() => void navigator.share({ title: `Your key, ${name}`, url }).catch(() => undefined)}
          >
            Share…
          </Button>
        ) : null}
      </div>
    </div>
  );
}

function statusOf(key: GuestKey): { label: string; tone: "ok" | "warn" | "bad" } {
  if (key.status === "revoked") {
    return key.revocation === "pending"
      ? { label: "Revoking — lock not reached yet", tone: "warn" }
      : { label: "Revoked", tone: "bad" };
  }
  if (key.status === "failed") return { label: "Not on the lock", tone: "bad" };
  if (key.status === "used") return { label: "Used", tone: "bad" };
  if (key.status === "expired") return { label: "Expired", tone: "bad" };
  if (key.status === "setting") return { label: "Setting on the lock…", tone: "warn" };
  if (key.paused) return { label: "Paused — access blocked", tone: "warn" };
  return key.worksNow ? { label: "Works now", tone: "ok" } : { label: "Not now", tone: "warn" };
}

function KeyCard({ siteId, guestKey: key }: { siteId: string; guestKey: GuestKey }) {
  const revoke = useRevokeGuestKey(siteId);
  const [confirming, setConfirming] = useState(false);
  const [showPin, setShowPin] = useState(false);
  const status = statusOf(key);
  const live = key.status === "active" || key.status === "setting";
  return (
    <li className="card stack gk-key" aria-label={`Key for ${key.name}`}>
      <div className="spread">
        <strong>{key.name}</strong>
        <span className={`pill pill-${status.tone}`}>{status.label}</span>
      </div>
      <p className="small">
        {KIND_LABELS[key.kind]} · {key.accessPointName} · {describeRules(key)}
      </p>
      <p className="small muted">
        {key.useCount === 0
          ? "Not used yet."
          : `Used ${key.useCount === 1 ? "once" : `${key.useCount} times`}, last ${formatAgo(key.lastUsedAt)}.`}
      </p>
      {key.notice ? (
        <p className="note note-warn small" role="status">
          {key.notice}
        </p>
      ) : null}
      {live ? (
        <>
          <div className="row">
            <Button variant="ghost" onClick={() => setShowPin((s) => !s)} aria-expanded={showPin}>
              {showPin ? "Hide PIN and link" : "Show PIN and link"}
            </Button>
            {!confirming ? (
              <Button variant="danger" onClick={() => setConfirming(true)}>
                Revoke
              </Button>
            ) : null}
          </div>
          {showPin ? (
            <div className="stack">
              <PinDigits pin={key.pin ?? ""} />
              <ShareLink url={key.shareUrl ?? ""} name={key.name} />
            </div>
          ) : null}
          {confirming ? (
            <div className="note note-warn stack" role="alertdialog" aria-label="Revoke this key?">
              <p>Revoke {key.name}'s key? Their PIN stops opening the door and their link stops working.</p>
              <div className="row">
                <Button
                  variant="danger"
                  pending={revoke.isPending}
                  pendingLabel="Revoking…"
                  onClick={() => revoke.mutate(key.id, { onSettled: () => setConfirming(false) })}
                >
                  Revoke key
                </Button>
                <Button variant="ghost" onClick={() => setConfirming(false)} disabled={revoke.isPending}>
                  Keep it
                </Button>
              </div>
            </div>
          ) : null}
        </>
      ) : null}
      {revoke.isError ? <p className="note note-error">{errorMessage(revoke.error)}</p> : null}
    </li>
  );
}
