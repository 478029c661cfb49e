import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { api, unwrap } from "../../api";
import { Button } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { formatAgo } from "../../ui/format";
import { DemoKeypad, useIsDemo } from "./DemoKeypad";
import { type Device, recipientKeys } from "./home-data";
import { DEVICE_KIND_WORDS } from "./words";

function batteryOf(device: Device): number | null {
  const battery = device.reportedState?.battery;
  return typeof battery === "number" ? battery : null;
}

/** Online or when it was last heard from, with the battery when the device reports one. */
function DeviceStatus({ device }: { device: Device }) {
  const battery = batteryOf(device);
  return (
    <p className="row rh-device-status">
      {device.online ? (
        <span className="pill pill-ok">
          <span aria-hidden="true">✓</span>Online
        </span>
      ) : (
        <span className="pill pill-bad">
          <span aria-hidden="true">✕</span>Offline · last seen {formatAgo(device.lastSeenAt)}
        </span>
      )}
      {battery === null ? null : (
        <span className={`pill ${battery < 20 ? "pill-warn" : "pill-ok"}`}>
          <span aria-hidden="true">{battery < 20 ? "!" : "✓"}</span>Battery {battery} %
        </span>
      )}
    </p>
  );
}

/**
 * Someone connected with this device's credentials while it was connected and took its session
 * over (docs/operations.md). Once is a flaky network; again and again means the credentials are
 * in other hands, and pairing anew is what replaces them.
 */
function TakeoverWarning({ device }: { device: Device }) {
  const { count, lastAt } = device.takeovers;
  if (count === 0) return null;
  return (
    <p className="note note-warn small rh-device-takeovers" role="status">
      <strong>
        Its connection was taken over {count === 1 ? "once" : `${count} times`}, last {formatAgo(lastAt)}.
      </strong>{" "}
      Another connection used this device's credentials. If it keeps happening, remove the device and pair it again to
      give it new ones.
    </p>
  );
}

function RenameForm({ device, onDone }: { device: Device; onDone(): void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(device.name);
  const rename = useMutation({
    mutationFn: async (newName: string) =>
      unwrap(
        await api.PATCH("/v1/devices/{deviceId}", {
          params: { path: { deviceId: device.id } },
          body: { name: newName },
        }),
      ),
    onSuccess: async (renamed) => {
      queryClient.setQueryData<Device[]>(recipientKeys.devices(device.siteId), (devices) =>
        devices?.map((d) => (d.id === renamed.id ? renamed : d)),
      );
      await queryClient.invalidateQueries({ queryKey: recipientKeys.site(device.siteId) });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === device.name) onDone();
    else rename.mutate(trimmed);
  };
  return (
    <form className="stack rh-rename" onSubmit={submit} noValidate>
      <label>
        New name for {device.name}
        {/* biome-ignore lint/a11y/noAutofocus: the person just asked to rename; the field is where they type. */}
        <input value={name} onChange={(event) => setName(event.target.value)} maxLength={100} autoFocus />
      </label>
      {rename.isError ? <ErrorNote error={rename.error} title="Not renamed." /> : null}
      <div className="row">
        <Button type="submit" pending={rename.isPending} pendingLabel="Saving…">
          Save name
        </Button>
        <Button variant="ghost" onClick={onDone} disabled={rename.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** Removing is final, so it asks first and says what happens: the credentials die with it. */
function RemoveConfirmation({ device, onCancel }: { device: Device; onCancel(): void }) {
  const queryClient = useQueryClient();
  const headingId = useId();
  const remove = useMutation({
    mutationFn: async () =>
      unwrap(await api.DELETE("/v1/devices/{deviceId}", { params: { path: { deviceId: device.id } } })),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: recipientKeys.devices(device.siteId) }),
        queryClient.invalidateQueries({ queryKey: recipientKeys.site(device.siteId) }),
      ]);
    },
  });
  return (
    <section className="note note-warn stack rh-remove" aria-labelledby={headingId}>
      <p id={headingId}>
        <strong>Remove {device.name}?</strong> Its credentials stop working at once and it is disconnected from
        Threshold. To use it again you pair it anew with a fresh code.
        {device.kind === "camera" ? " Doors it watches have no witness camera until you add one." : ""}
      </p>
      {remove.isError ? <ErrorNote error={remove.error} title="Not removed." /> : null}
      <div className="row">
        <Button variant="danger" onClick={() => remove.mutate()} pending={remove.isPending} pendingLabel="Removing…">
          Remove {device.name}
        </Button>
        <Button variant="secondary" onClick={onCancel} disabled={remove.isPending}>
          Keep it
        </Button>
      </div>
    </section>
  );
}

/** One paired device: what it is, whether it is online, and renaming or removing it. */
export function DeviceCard({ device }: { device: Device }) {
  const [mode, setMode] = useState<"view" | "rename" | "remove">("view");
  const headingId = useId();
  const isDemo = useIsDemo();
  return (
    <li className="card stack rh-device" aria-labelledby={headingId}>
      <div>
        <h3 id={headingId}>{device.name}</h3>
        <p className="small muted rh-device-kind">
          {DEVICE_KIND_WORDS[device.kind]} · {device.model}
          {device.firmware ? ` · firmware ${device.firmware}` : ""}
        </p>
      </div>
      <DeviceStatus device={device} />
      <TakeoverWarning device={device} />
      {mode === "rename" ? <RenameForm device={device} onDone={() => setMode("view")} /> : null}
      {mode === "remove" ? <RemoveConfirmation device={device} onCancel={() => setMode("view")} /> : null}
      {mode === "view" ? (
        <div className="row">
          <Button variant="secondary" onClick={() => setMode("rename")} aria-label={`Rename ${device.name}`}>
            Rename
          </Button>
          <Button variant="ghost" onClick={() => setMode("remove")} aria-label={`Remove ${device.name}`}>
            Remove
          </Button>
        </div>
      ) : null}
      {isDemo && device.kind === "lock" && mode === "view" ? (
        <DemoKeypad deviceId={device.id} name={device.name} />
      ) : null}
    </li>
  );
}
