import { useState } from "react";
import { Button } from "../../ui/button";
import { ErrorNote, Spinner } from "../../ui/feedback";
import { formatAgo, formatDateTime } from "../../ui/format";
import { ScrollTable } from "../../ui/ScrollTable";
import { type DeviceKind, type FleetDevice, type FleetStatus, useFleet } from "./operator-data";
import { DEVICE_KIND_WORDS, DEVICE_KINDS, LOW_BATTERY } from "./words";

function Battery({ percent }: { percent: number | null }) {
  if (percent === null) return <span className="muted">—</span>;
  return <span className={percent < LOW_BATTERY ? "pill pill-warn" : undefined}>{percent} %</span>;
}

function DeviceRow({ device, now }: { device: FleetDevice; now: number }) {
  return (
    <tr>
      <td>
        <strong>{device.name}</strong>
        <div className="small muted">
          {DEVICE_KIND_WORDS[device.kind]} ·{" "}
          <code className="op-id" title={device.id}>
            {device.id}
          </code>
        </div>
      </td>
      <td>{device.siteName}</td>
      <td>
        <span className={device.online ? "pill pill-ok" : "pill pill-bad"}>{device.online ? "Online" : "Offline"}</span>
        {device.takeovers.count > 0 ? (
          <div className="small" title={device.takeovers.lastAt ? formatDateTime(device.takeovers.lastAt) : undefined}>
            Session taken over {device.takeovers.count}× · last {formatAgo(device.takeovers.lastAt, now)}
          </div>
        ) : null}
      </td>
      <td title={device.lastSeenAt ? formatDateTime(device.lastSeenAt) : undefined}>
        {formatAgo(device.lastSeenAt, now)}
      </td>
      <td>
        <Battery percent={device.battery} />
      </td>
      <td>
        <code>{device.firmware}</code>
        <div className="small muted">{device.model}</div>
      </td>
    </tr>
  );
}

const STATUS_CHOICES: { value: FleetStatus | undefined; label: string }[] = [
  { value: undefined, label: "All" },
  { value: "online", label: "Online" },
  { value: "offline", label: "Offline" },
];

/** Every device on the platform: which are online, when each was last heard from, batteries, firmware. */
export function Fleet() {
  const [status, setStatus] = useState<FleetStatus | undefined>(undefined);
  const [kind, setKind] = useState<DeviceKind | undefined>(undefined);
  const fleet = useFleet({ ...(status ? { status } : {}), ...(kind ? { kind } : {}) });
  const counts = fleet.data?.pages[0]?.counts;
  const devices = fleet.data?.pages.flatMap((page) => page.devices) ?? [];
  const countOf = (value: FleetStatus | undefined) =>
    counts === undefined ? null : value === undefined ? counts.total : counts[value];

  return (
    <div className="stack op-page">
      <div className="spread">
        <h1>Fleet</h1>
        {fleet.isFetching && !fleet.isFetchingNextPage ? <Spinner label="Refreshing…" /> : null}
      </div>
      <div className="op-filters">
        <fieldset className="op-segmented">
          <legend className="small muted">Status</legend>
          {STATUS_CHOICES.map((choice) => (
            <button
              key={choice.label}
              type="button"
              className="op-segment"
              aria-pressed={status === choice.value}
              onClick={() => setStatus(choice.value)}
            >
              {choice.label}
              {countOf(choice.value) !== null ? <span className="op-count">{countOf(choice.value)}</span> : null}
            </button>
          ))}
        </fieldset>
        <label className="op-kind">
          Kind
          <select
            value={kind ?? ""}
            onChange={(event) => setKind(event.target.value ? (event.target.value as DeviceKind) : undefined)}
          >
            <option value="">All kinds</option>
            {DEVICE_KINDS.map((value) => (
              <option key={value} value={value}>
                {DEVICE_KIND_WORDS[value]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {fleet.isError && fleet.data ? <ErrorNote error={fleet.error} title="Could not refresh." /> : null}
      {fleet.isPending ? (
        <Spinner label="Loading devices…" />
      ) : fleet.isError && !fleet.data ? (
        <ErrorNote error={fleet.error} />
      ) : devices.length === 0 ? (
        <p className="note">No devices match these filters.</p>
      ) : (
        <>
          <ScrollTable label="Devices, scrolls sideways" className="op-table op-fleet">
            <table aria-label="Devices">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Site</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Battery</th>
                  <th scope="col">Firmware</th>
                </tr>
              </thead>
              <tbody>
                {devices.map((device) => (
                  <DeviceRow key={device.id} device={device} now={fleet.dataUpdatedAt} />
                ))}
              </tbody>
            </table>
          </ScrollTable>
          <p className="small muted">
            Showing {devices.length} of {countOf(status) ?? devices.length}.
          </p>
          {fleet.hasNextPage ? (
            <Button
              variant="secondary"
              pending={fleet.isFetchingNextPage}
              pendingLabel="Loading more…"
              onClick={() => void fleet.fetchNextPage()}
            >
              Show more devices
            </Button>
          ) : null}
        </>
      )}
    </div>
  );
}
