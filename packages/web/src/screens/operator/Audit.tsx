import { EVENT_TYPES } from "@threshold/core/event-types";
import { type FormEvent, useState } from "react";
import { Button } from "../../ui/button";
import { ErrorNote, Spinner } from "../../ui/feedback";
import { formatDateTime } from "../../ui/format";
import { ScrollTable } from "../../ui/ScrollTable";
import { actorWords, eventDetail, eventWords } from "./event-words";
import {
  AUDIT_PAGE_SIZE,
  type AuditEvent,
  type AuditQuery,
  useAllSites,
  useAllUsers,
  useAuditEvents,
  useDevicePicker,
} from "./operator-data";
import { VerifyChain } from "./VerifyChain";

interface Filters {
  siteId: string;
  deviceId: string;
  /** Whose acts: a person's account. */
  actorId: string;
  /** Any other subject (a visit, a shipment) by id, for an id copied from elsewhere. */
  subjectId: string;
  type: string;
}

const NO_FILTERS: Filters = { siteId: "", deviceId: "", actorId: "", subjectId: "", type: "" };

const ROLE_WORDS: Record<string, string> = {
  recipient: "recipient",
  courier: "courier",
  carrier_admin: "carrier dispatch",
  operator: "operator",
  manager: "building manager",
};

/** Every subject's prefix, then every exact type: the server takes an exact type or a prefix ending in a dot. */
const TYPE_PREFIXES = [...new Set(EVENT_TYPES.map((type) => `${type.split(".")[0]}.`))];

/** Newest first, a page at a time: `beforeSeq` is the last seq of the page before (none for the first). */
function toQuery(filters: Filters, beforeSeq: number | undefined): AuditQuery {
  const subjectId = filters.deviceId || filters.subjectId.trim();
  return {
    limit: AUDIT_PAGE_SIZE,
    order: "desc",
    ...(beforeSeq !== undefined ? { beforeSeq } : {}),
    ...(filters.siteId ? { siteId: filters.siteId } : {}),
    ...(subjectId ? { subjectId } : {}),
    ...(filters.actorId ? { actorId: filters.actorId } : {}),
    ...(filters.type ? { type: filters.type } : {}),
  };
}

function DeviceOptions({ siteId }: { siteId: string }) {
  const picker = useDevicePicker(siteId);
  const devices = picker.data?.devices ?? [];
  return (
    <>
      <option value="">{picker.isPending ? "Loading devices…" : "Every device"}</option>
      {devices.map((device) => (
        <option key={device.id} value={device.id}>
          {device.siteName ? `${device.name} — ${device.siteName}` : device.name}
        </option>
      ))}
      {picker.data?.more ? <option disabled>More devices: choose their site first</option> : null}
    </>
  );
}

function FilterForm({ initial, onApply }: { initial: Filters; onApply: (filters: Filters) => void }) {
  const [draft, setDraft] = useState(initial);
  const sites = useAllSites();
  const users = useAllUsers();
  const set = (change: Partial<Filters>) => setDraft({ ...draft, ...change });
  function submit(event: FormEvent) {
    event.preventDefault();
    onApply(draft);
  }
  return (
    <form className="card op-audit-filters" onSubmit={submit} aria-label="Filter the audit log">
      <label>
        Site
        <select value={draft.siteId} onChange={(e) => set({ siteId: e.target.value, deviceId: "" })}>
          <option value="">{sites.isPending ? "Loading sites…" : "Every site"}</option>
          {[...(sites.data ?? [])]
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((site) => (
              <option key={site.id} value={site.id}>
                {site.name}
              </option>
            ))}
        </select>
      </label>
      <label>
        Device
        <select value={draft.deviceId} onChange={(e) => set({ deviceId: e.target.value, subjectId: "" })}>
          <DeviceOptions siteId={draft.siteId} />
        </select>
      </label>
      <label>
        By
        <select value={draft.actorId} onChange={(e) => set({ actorId: e.target.value })}>
          <option value="">{users.isPending ? "Loading people…" : "Anyone or anything"}</option>
          {(users.data?.users ?? []).map((user) => (
            <option key={user.id} value={user.id}>
              {user.name} ({ROLE_WORDS[user.role] ?? user.role})
            </option>
          ))}
          {users.data?.truncated ? <option disabled>Only the first 500 people are listed</option> : null}
        </select>
      </label>
      <label>
        Type
        <select value={draft.type} onChange={(e) => set({ type: e.target.value })}>
          <option value="">Every type</option>
          <optgroup label="Everything about">
            {TYPE_PREFIXES.map((prefix) => (
              <option key={prefix} value={prefix}>
                {prefix.slice(0, -1)} (all)
              </option>
            ))}
          </optgroup>
          <optgroup label="Exactly">
            {EVENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      <details className="op-audit-more">
        <summary>A visit or shipment, by id</summary>
        <label>
          Subject id
          <input
            value={draft.subjectId}
            onChange={(e) => set({ subjectId: e.target.value, deviceId: "" })}
            placeholder="vis_…, shp_…"
            maxLength={40}
            autoComplete="off"
          />
        </label>
      </details>
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

/** Names for the ids the log is full of, as far as the operator's pickers know them. */
interface Names {
  sites: ReadonlyMap<string, string>;
  people: ReadonlyMap<string, string>;
}

function EventRow({ event, names }: { event: AuditEvent; names: Names }) {
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
            at{" "}
            {names.sites.get(event.siteId) ?? (
              <code className="op-id" title={event.siteId}>
                {event.siteId}
              </code>
            )}
          </div>
        ) : null}
      </td>
      <td className="small">{(event.actorId && names.people.get(event.actorId)) || actorWords(event)}</td>
    </tr>
  );
}

/** The audit log, newest first, filtered by names and paged by seq, and a check that nobody has tampered with it. */
export function Audit() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // The beforeSeq of each page visited (none for the newest), so "Newer" goes back exactly.
  const [pages, setPages] = useState<(number | undefined)[]>([undefined]);
  const beforeSeq = pages[pages.length - 1];
  const events = useAuditEvents(toQuery(filters, beforeSeq));
  const sites = useAllSites();
  const users = useAllUsers();
  const names: Names = {
    sites: new Map((sites.data ?? []).map((site) => [site.id, site.name])),
    people: new Map((users.data?.users ?? []).map((user) => [user.id, user.name])),
  };
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
          setPages([undefined]);
        }}
      />
      {events.isPending ? (
        <Spinner label="Loading events…" />
      ) : events.isError ? (
        <ErrorNote error={events.error} />
      ) : list.length === 0 ? (
        <p className="note">No events match{beforeSeq !== undefined ? ` before #${beforeSeq}` : ""}.</p>
      ) : (
        <ScrollTable label="Audit events, newest first, scrolls sideways" className="op-table">
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
                <EventRow key={event.seq} event={event} names={names} />
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
      <div className="spread">
        <Button
          variant="secondary"
          disabled={pages.length < 2 || events.isFetching}
          onClick={() => setPages(pages.slice(0, -1))}
        >
          Newer events
        </Button>
        {events.isFetching && !events.isPending ? <Spinner label="Loading…" /> : null}
        <Button
          variant="secondary"
          disabled={!last || list.length < AUDIT_PAGE_SIZE || events.isFetching}
          onClick={() => last && setPages([...pages, last.seq])}
        >
          Older events
        </Button>
      </div>
    </div>
  );
}
