import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { api, unwrap } from "../../api";
import { Button } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { recipientKeys, type Site } from "./home-data";

/** The code as devices show it has 8 characters; dashes and spaces people type are not part of it. */
const CODE_LENGTH = 8;
const codeLength = (input: string) => input.replace(/[\s-]/g, "").length;

/** Pair a device to a site by typing the code it shows (the server checks the code; we only count). */
export function PairDeviceForm({ site }: { site: Site }) {
  const queryClient = useQueryClient();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [paired, setPaired] = useState<string | null>(null);
  const codeHintId = useId();

  const pair = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/v1/sites/{siteId}/devices", {
          params: { path: { siteId: site.id } },
          body: { pairingCode: code.trim(), name: name.trim() },
        }),
      ),
    onSuccess: async (device) => {
      setPaired(device.name);
      setCode("");
      setName("");
      await queryClient.invalidateQueries({ queryKey: recipientKeys.devices(site.id) });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setPaired(null);
    pair.reset();
    if (codeLength(code) !== CODE_LENGTH) {
      setProblem(`A pairing code has ${CODE_LENGTH} letters and digits, like ABCD-2345. Check the device's screen.`);
      return;
    }
    if (name.trim() === "") {
      setProblem("Give the device a name, like Back door lock.");
      return;
    }
    setProblem(null);
    pair.mutate();
  };

  return (
    <form className="card stack rh-pair" onSubmit={submit} noValidate aria-label={`Pair a device at ${site.name}`}>
      <h3>Pair a device</h3>
      <label>
        Pairing code
        <input
          value={code}
          onChange={(event) => setCode(event.target.value.toUpperCase())}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={16}
          placeholder="ABCD-2345"
          aria-describedby={codeHintId}
          className="rh-code-input"
        />
      </label>
      <p id={codeHintId} className="small muted">
        The 8 characters the new device shows while it waits to be paired.
      </p>
      <label>
        Name
        <input value={name} onChange={(event) => setName(event.target.value)} maxLength={100} autoComplete="off" />
      </label>
      {problem ? (
        <p className="note note-error" role="alert">
          {problem}
        </p>
      ) : null}
      {pair.isError ? <ErrorNote error={pair.error} title="Not paired." /> : null}
      <div role="status">
        {paired ? (
          <p className="note note-ok">Paired {paired}. It shows as online once it connects to Threshold.</p>
        ) : null}
      </div>
      <Button type="submit" pending={pair.isPending} pendingLabel="Pairing…">
        Pair device
      </Button>
    </form>
  );
}
