import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { api, unwrap } from "../../api";
import { Button } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { formatTime } from "../../ui/format";
import {
  bodyOf,
  type ConsentDraft,
  draftOf,
  draftProblem,
  NOTES_MAX_LENGTH,
  timeChoices,
  timeZoneChoices,
} from "./consent-form";
import { type AccessPointConsent, recipientKeys } from "./home-data";
import { WeekdayPicker } from "./WeekdayPicker";
import { METHOD_WORDS } from "./words";

function toggled<T>(list: readonly T[], item: T, on: boolean): T[] {
  return on ? (list.includes(item) ? [...list] : [...list, item]) : list.filter((x) => x !== item);
}

/** Which methods, days and hours an access point allows, and what the courier should know there. */
export function ConsentForm({ current }: { current: AccessPointConsent }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<ConsentDraft>(() => draftOf(current));
  const [problem, setProblem] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const notesHintId = useId();
  const hoursHintId = useId();
  // Selects get their label by id: a wrapping label would read out every option as part of the name.
  const fromId = useId();
  const toId = useId();
  const zoneId = useId();
  const notesId = useId();

  const save = useMutation({
    mutationFn: async (values: ConsentDraft) =>
      unwrap(
        await api.PUT("/v1/access-points/{id}/consent", {
          params: { path: { id: current.accessPointId } },
          body: bodyOf(values),
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(recipientKeys.consent(current.accessPointId), saved);
      setSavedAt(saved.consent?.updatedAt ?? new Date().toISOString());
      // What the server kept (trimmed notes, sorted days) is what the form shows from now on.
      setDraft(draftOf(saved));
    },
  });

  const change = (patch: Partial<ConsentDraft>) => {
    setDraft((before) => ({ ...before, ...patch }));
    setSavedAt(null);
    setProblem(null);
    if (save.isError) save.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = draftProblem(draft);
    setProblem(found);
    if (!found) save.mutate(draft);
  };

  return (
    <form className="stack rh-settings-form" onSubmit={submit} noValidate>
      <fieldset className="card rh-fieldset">
        <legend>Allowed delivery methods</legend>
        {current.suitedMethods.map((method) => (
          <label key={method} className="checkbox rh-method">
            <input
              type="checkbox"
              checked={draft.methods.includes(method)}
              onChange={(event) => change({ methods: toggled(draft.methods, method, event.target.checked) })}
            />
            <span>
              {METHOD_WORDS[method].label}
              <span className="small muted rh-method-hint">{METHOD_WORDS[method].hint}</span>
            </span>
          </label>
        ))}
        {draft.methods.length === 0 ? (
          <p className="note note-warn small">No method ticked: couriers cannot deliver here until you tick one.</p>
        ) : null}
      </fieldset>

      <fieldset className="card rh-fieldset">
        <legend>Days</legend>
        <WeekdayPicker days={draft.days} onChange={(days) => change({ days })} />
      </fieldset>

      <fieldset className="card rh-fieldset" aria-describedby={hoursHintId}>
        <legend>Hours</legend>
        <div className="rh-hours">
          <div className="rh-field">
            <label htmlFor={fromId}>From</label>
            <select id={fromId} value={draft.from} onChange={(event) => change({ from: event.target.value })}>
              {timeChoices("from", draft.from).map((time) => (
                <option key={time} value={time}>
                  {time}
                </option>
              ))}
            </select>
          </div>
          <div className="rh-field">
            <label htmlFor={toId}>To</label>
            <select id={toId} value={draft.to} onChange={(event) => change({ to: event.target.value })}>
              {timeChoices("to", draft.to).map((time) => (
                <option key={time} value={time}>
                  {time}
                </option>
              ))}
            </select>
          </div>
        </div>
        <p id={hoursHintId} className="small muted">
          Local time on the days above. 24:00 is midnight at the end of the day, so 00:00 to 24:00 is the whole day.
        </p>
        <div className="rh-field">
          <label htmlFor={zoneId}>Time zone</label>
          <select id={zoneId} value={draft.timezone} onChange={(event) => change({ timezone: event.target.value })}>
            {timeZoneChoices(draft.timezone).map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll("_", " ")}
              </option>
            ))}
          </select>
        </div>
      </fieldset>

      <div className="card stack rh-fieldset">
        <label htmlFor={notesId}>Notes for couriers</label>
        <textarea
          id={notesId}
          value={draft.notes}
          maxLength={NOTES_MAX_LENGTH}
          rows={4}
          aria-describedby={notesHintId}
          onChange={(event) => change({ notes: event.target.value })}
        />
        <p id={notesHintId} className="small muted rh-notes-hint">
          Shown to the courier at the door, e.g. pets, alarms, where to put things. {draft.notes.length} of{" "}
          {NOTES_MAX_LENGTH} characters.
        </p>
      </div>

      {draft.methods.includes("in_home") ? (
        <fieldset className="card rh-fieldset">
          <legend>When the lock is offline</legend>
          <label className="checkbox rh-method">
            <input
              type="checkbox"
              checked={draft.offlineCodes}
              onChange={(event) => change({ offlineCodes: event.target.checked })}
            />
            <span>
              Allow offline codes
              <span className="small muted rh-method-hint">
                A carrier may then ask for a code the lock checks with no network, for one hour of a delivery window. It
                opens once. <strong>It cannot be revoked until the lock is back online</strong>, and the camera is not
                checked before it opens. Off, offline codes are given only while the lock is offline.
              </span>
            </span>
          </label>
        </fieldset>
      ) : null}

      {problem ? (
        <p className="note note-error" role="alert">
          {problem}
        </p>
      ) : null}
      {save.isError ? <ErrorNote error={save.error} title="Not saved." /> : null}
      <div role="status" className="rh-save-status">
        {savedAt && !save.isPending ? <p className="note note-ok">Saved at {formatTime(savedAt)}.</p> : null}
      </div>
      <Button type="submit" size="large" pending={save.isPending} pendingLabel="Saving…">
        Save settings
      </Button>
    </form>
  );
}
