import { EVENT_TYPES } from "@threshold/core/event-types";
import { type FormEvent, useState } from "react";
import { Button } from "../../ui/button";
import { ErrorNote, Spinner } from "../../ui/feedback";
import { formatDateTime } from "../../ui/format";
import { actorWords, eventDetail, eventWords } from "./event-words";
import { AUDIT_PAGE_SIZE, type AuditEvent, type AuditQuery, useAuditEvents } from "./operator-data";
import { VerifyChain } from "./VerifyChain";

interface Filters {
  siteId: string;
  subjectId: string;
  type: string;
  afterSeq: string;
}

const NO_FILTERS: Filters = { siteId: "", subjectId: "", type: "", afterSeq: "" };

/** Every subject's prefix, then every exact type: the server takes an exact type or a prefix ending in a dot. */
const TYPE_SUGGESTIONS = [...new Set(EVENT_TYPES.map((type) => `${type.split(".")[0]}.`)), ...EVENT_TYPES];

function toQuery(filters: Filters, afterSeq: number): AuditQuery {
  return {
    limit: AUDIT_PAGE_SIZE,
    afterSeq,
    ...(filters.siteId.trim() ? { siteId: filters.siteId.trim() } : {}),
    ...(filters.subjectId.trim() ? { subjectId: filters.subjectId.trim() } : {}),
    ...(filters.type.trim() ? { type: filters.type.trim() } : {}),
  };
}

function startSeq(filters: Filters): number {
  const value = Number(filters.afterSeq);
  return Number.isInteger(value) && value > 0 ? value : 0;
}

function FilterForm({ initial, onApply }: { initial: Filters; onApply: (filters: Filters) => void }) {
  const [draft, setDraft] = useState(initial);
  const field = (name: keyof Filters) => ({
    value: draft[name],
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value }),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    onApply(draft);
  }
  return (
    <form className="card op-audit-filters" onSubmit={submit} aria-label="Filter the audit log">
      <label>
        Site id
        <input {...field("siteId")} placeholder="sit_…" pattern="sit_[0-9a-z]{26}" autoComplete="off" />
      </label>
      <label>
        Subject id
        <input {...field("subjectId")} placeholder="vis_…, cmd_…, shp_…" maxLength={40} autoComplete="off" />
      </label>
      <label>
        Type
        <input {...field("type")} list="op-audit-types" placeholder="visit. or visit.opened" maxLength={64} />
        <datalist id="op-audit-types">
          {TYPE_SUGGESTIONS.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
      </label>
      <label>
        After seq
        <input {...field("afterSeq")} type="number" min={0} step={1} inputMode="numeric" placeholder="0" />
      </label>
      <div className="row op-audit-actions">
        <Button type="submit">Apply filters</Button>
        <Button
          variant="ghost"
          onClick={() => {
            setDraft(NO_FILTERS);
            onApply(NO_FILTERS);
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}

function EventRow({ event }: { event: AuditEvent }) {
  const detail = eventDetail(event);
  return (
    <tr>
      <td>
        <code>{event.seq}</code>
      </td>
      <td>
        <time dateTime={event.at}>{formatDateTime(event.at)}</time>
      </td>
      <td>
        <strong>{eventWords(event)}</strong>
        {eventWords(event) !== event.type ? <div className="small muted">{event.type}</div> : null}
        {detail ? <div className="small">{detail}</div> : null}
      </td>
      <td>
        <code className="op-id" title={event.subjectId}>
          {event.subjectId}
        </code>
        {event.siteId ? (
          <div className="small muted">
            site{" "}
            <code className="op-id" title={event.siteId}>
              {event.siteId}
            </code>
          </div>
        ) : null}
      </td>
      <td className="small">{actorWords(event)}</td>
    </tr>
  );
}

/** The audit log, filtered and paged by seq, and a check that nobody has tampered with it. */
export function Audit() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // The afterSeq of each page visited, so "Previous" goes back exactly.
  const [pages, setPages] = useState<number[]>([0]);
  const afterSeq = pages[pages.length - 1] ?? 0;
  const events = useAuditEvents(toQuery(filters, afterSeq));
  const list = events.data ?? [];
  const last = list[list.length - 1];

  return (
    <div className="stack op-page">
      <h1>Audit</h1>
      <VerifyChain />
      <FilterForm
        initial={filters}
        onApply={(next) => {
          setFilters(next);
          setPages([startSeq(next)]);
        }}
      />
      {events.isPending ? (
        <Spinner label="Loading events…" />
      ) : events.isError ? (
        <ErrorNote error={events.error} />
      ) : list.length === 0 ? (
        <p className="note">No events match{afterSeq > 0 ? ` after #${afterSeq}` : ""}.</p>
      ) : (
        <div className="table-wrap card op-table">
          <table aria-label="Audit events">
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Subject</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {list.map((event) => (
                <EventRow key={event.seq} event={event} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="spread">
        <Button
          variant="secondary"
          disabled={pages.length < 2 || events.isFetching}
          onClick={() => setPages(pages.slice(0, -1))}
        >
          Previous page
        </Button>
        {events.isFetching && !events.isPending ? <Spinner label="Loading…" /> : null}
        <Button
          variant="secondary"
          disabled={!last || list.length < AUDIT_PAGE_SIZE || events.isFetching}
          onClick={() => last && setPages([...pages, last.seq])}
        >
          Next page
        </Button>
      </div>
    </div>
  );
}
