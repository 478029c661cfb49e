import { ThresholdApiError } from "@threshold/sdk";
import { type FormEvent, useEffect, useId, useState } from "react";
import { errorMessage } from "../../api";
import { Button } from "../../ui/button";
import { Spinner } from "../../ui/feedback";
import { describedBy, FieldHint, FieldProblemNote } from "./form-field";
import { GROUP_WORDS, groupOf } from "./webhook-words";
import { type EventTypeInfo, type NewWebhookEndpoint, useEventCatalogue, useRegisterEndpoint } from "./webhooks-data";

type Field = "url" | "events";
type Problem = { field: Field | null; message: string };

/** The server's refusal, next to the field it is about: the URL's policy, or the events chosen. */
function problemOf(error: unknown): Problem {
  if (error instanceof ThresholdApiError) {
    if (error.code === "webhook_url_refused") return { field: "url", message: error.message };
    const issues = error.details?.issues;
    const path = Array.isArray(issues) ? (issues[0] as { path?: unknown } | undefined)?.path : undefined;
    if (typeof path === "string" && path.startsWith("body/url")) return { field: "url", message: error.message };
    if (typeof path === "string" && path.startsWith("body/eventTypes")) {
      return { field: "events", message: error.message };
    }
  }
  return { field: null, message: errorMessage(error) };
}

function grouped(catalogue: EventTypeInfo[]): [string, EventTypeInfo[]][] {
  const groups = new Map<string, EventTypeInfo[]>();
  for (const info of catalogue) groups.set(groupOf(info.type), [...(groups.get(groupOf(info.type)) ?? []), info]);
  return [...groups];
}

/** Registers an endpoint: where to send, and every event or the ones chosen from the server's catalogue. */
export function RegisterEndpoint({
  onCancel,
  onRegistered,
}: {
  onCancel(): void;
  onRegistered(created: { endpoint: { url: string }; secret: string }): void;
}) {
  const catalogue = useEventCatalogue();
  const register = useRegisterEndpoint();
  const ids = { url: useId(), hint: useId(), problem: useId(), events: useId() };
  const [url, setUrl] = useState("");
  const [all, setAll] = useState(true);
  const [chosen, setChosen] = useState<string[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    if (problem?.field === "url") document.getElementById(ids.url)?.focus();
    if (problem?.field === "events") document.getElementById(ids.events)?.focus();
  }, [problem, ids.url, ids.events]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!url.trim()) return setProblem({ field: "url", message: "Enter the URL your receiver listens on." });
    if (!all && chosen.length === 0) return setProblem({ field: "events", message: "Choose at least one event." });
    setProblem(null);
    const body: NewWebhookEndpoint = {
      url: url.trim(),
      eventTypes: all ? ["*"] : (chosen as NewWebhookEndpoint["eventTypes"]),
    };
    register.mutate(body, { onSuccess: onRegistered, onError: (error) => setProblem(problemOf(error)) });
  };
  const toggle = (type: string, on: boolean) =>
    setChosen((list) => (on ? [...list, type] : list.filter((t) => t !== type)));
  const problemId = (field: Field) => (problem?.field === field ? `${ids.problem}-${field}` : null);

  return (
    <form className="card stack cr-form" onSubmit={submit} noValidate aria-label="Register an endpoint">
      <div className="cr-field">
        <label htmlFor={ids.url}>URL</label>
        <input
          id={ids.url}
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://hooks.example.com/threshold"
          value={url}
          aria-invalid={problem?.field === "url" ? true : undefined}
          aria-describedby={describedBy(ids.hint, problemId("url"))}
          onChange={(e) => setUrl(e.target.value)}
        />
        <FieldHint id={ids.hint}>
          An https:// address on the public internet. Threshold POSTs each event to it.
        </FieldHint>
        <FieldProblemNote id={`${ids.problem}-url`} message={problem?.field === "url" ? problem.message : null} />
      </div>
      <fieldset
        className="cr-fieldset"
        id={ids.events}
        tabIndex={-1}
        aria-describedby={describedBy(problemId("events"))}
      >
        <legend>Events</legend>
        <label className="checkbox cr-choice">
          <input type="radio" name="which-events" checked={all} onChange={() => setAll(true)} />
          <span>All events, including ones added later</span>
        </label>
        <label className="checkbox cr-choice">
          <input type="radio" name="which-events" checked={!all} onChange={() => setAll(false)} />
          <span>Only the events I choose</span>
        </label>
        {!all ? (
          catalogue.isPending ? (
            <Spinner label="Loading the events…" />
          ) : catalogue.isError ? (
            <p className="note note-error">{errorMessage(catalogue.error)}</p>
          ) : (
            grouped(catalogue.data).map(([group, infos]) => (
              <fieldset key={group} className="cr-fieldset cr-event-group">
                <legend>{GROUP_WORDS[group] ?? group}</legend>
                {infos.map((info) => (
                  <label key={info.type} className="checkbox cr-choice">
                    <input
                      type="checkbox"
                      checked={chosen.includes(info.type)}
                      onChange={(e) => toggle(info.type, e.target.checked)}
                    />
                    <span>
                      <code>{info.type}</code>
                      <span className="small muted cr-choice-hint">{info.description}</span>
                    </span>
                  </label>
                ))}
              </fieldset>
            ))
          )
        ) : null}
        <FieldProblemNote id={`${ids.problem}-events`} message={problem?.field === "events" ? problem.message : null} />
      </fieldset>
      {problem && problem.field === null ? (
        <p className="note note-error" role="alert">
          <strong>Not registered. </strong>
          {problem.message}
        </p>
      ) : null}
      <div className="row">
        <Button type="submit" pending={register.isPending} pendingLabel="Registering…">
          Register
        </Button>
        <Button variant="ghost" onClick={onCancel} disabled={register.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
