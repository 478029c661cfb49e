import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ChangeEvent, type FormEvent, useState } from "react";
import { api, unwrap } from "../../api";
import { Button } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { type Car, carKeys, useCars } from "./car-data";
import type { Device, Site } from "./home-data";

/** The server takes a photo of at most 200,000 characters as a data: URL; this leaves room for the encoding. */
const MAX_PHOTO_BYTES = 140_000;

const FALLBACKS: { value: Car["fallback"]; words: string }[] = [
  { value: "backup_address", words: "Deliver to a backup address" },
  { value: "locker", words: "Take it to a locker" },
  { value: "return", words: "Return it to the depot" },
];

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error("The photo could not be read; choose another."));
    reader.readAsDataURL(file);
  });
}

/**
 * Adds a car for trunk delivery (docs/in-car-delivery.md): what the courier recognises it by, what
 * to do when its trunk cannot be opened, and the vehicle device (paired above) that speaks for it.
 * Registered, paired and opted in, in that order; a step that fails says so and leaves the car as
 * far as it got.
 */
export function AddCarForm({ site, devices }: { site: Site; devices: readonly Device[] }) {
  const queryClient = useQueryClient();
  const cars = useCars();
  const used = new Set((cars.data ?? []).map((car) => car.deviceId));
  const vehicles = devices.filter((device) => device.kind === "vehicle" && !used.has(device.id));
  const [fields, setFields] = useState({ make: "", model: "", colour: "", plate: "", fallbackNote: "" });
  const [fallback, setFallback] = useState<Car["fallback"]>("backup_address");
  const [vehicleId, setVehicleId] = useState("");
  const [trunkDelivery, setTrunkDelivery] = useState(true);
  const [photo, setPhoto] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);

  const add = useMutation({
    mutationFn: async () => {
      const car = unwrap(
        await api.POST("/v1/cars", {
          body: {
            siteId: site.id,
            make: fields.make.trim(),
            model: fields.model.trim(),
            colour: fields.colour.trim(),
            plate: fields.plate.trim(),
            fallback,
            ...(fields.fallbackNote.trim() ? { fallbackNote: fields.fallbackNote.trim() } : {}),
            ...(photo ? { photo } : {}),
          },
        }),
      );
      if (!vehicleId) return car;
      unwrap(await api.POST("/v1/cars/{id}/pair", { params: { path: { id: car.id } }, body: { deviceId: vehicleId } }));
      if (!trunkDelivery) return car;
      return unwrap(
        await api.PATCH("/v1/cars/{id}", { params: { path: { id: car.id } }, body: { trunkDelivery: true } }),
      );
    },
    onSuccess: (car) => {
      setAdded(`${car.make} ${car.model}`);
      setFields({ make: "", model: "", colour: "", plate: "", fallbackNote: "" });
      setPhoto(null);
      setVehicleId("");
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: carKeys.all }),
  });

  const set = (name: keyof typeof fields) => (event: ChangeEvent<HTMLInputElement>) =>
    setFields((now) => ({ ...now, [name]: event.target.value }));

  const choosePhoto = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return setPhoto(null);
    if (!["image/jpeg", "image/png", "image/webp"].includes(file.type)) {
      setProblem("The photo must be a JPEG, PNG or WebP picture.");
      return;
    }
    if (file.size > MAX_PHOTO_BYTES) {
      setProblem("That photo is too large: choose one under 140 KB (a small, cropped picture of the car is enough).");
      return;
    }
    setProblem(null);
    setPhoto(await readAsDataUrl(file));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(null);
    add.reset();
    const missing = (["make", "model", "colour", "plate"] as const).filter((name) => fields[name].trim() === "");
    if (missing.length > 0) {
      setProblem(`Fill in the car's ${missing.join(", ")}: the courier finds the car by them.`);
      return;
    }
    setProblem(null);
    add.mutate();
  };

  return (
    <form className="card stack rh-pair" onSubmit={submit} noValidate aria-label={`Add a car at ${site.name}`}>
      <h3>Add a car for trunk delivery</h3>
      <p className="small muted">
        Pair the car's vehicle device above first (your car maker's app shows its code). The courier sees the car's
        position, plate, colour and photo only for your delivery, only during its window.
      </p>
      <label>
        Make
        <input value={fields.make} onChange={set("make")} maxLength={40} placeholder="Volvo" />
      </label>
      <label>
        Model
        <input value={fields.model} onChange={set("model")} maxLength={40} placeholder="XC40" />
      </label>
      <label>
        Colour
        <input value={fields.colour} onChange={set("colour")} maxLength={30} placeholder="dark blue" />
      </label>
      <label>
        Number plate
        <input value={fields.plate} onChange={set("plate")} maxLength={15} autoCapitalize="characters" />
      </label>
      <label>
        Photo (optional)
        <input type="file" accept="image/jpeg,image/png,image/webp" onChange={choosePhoto} />
      </label>
      <label>
        Vehicle device
        <select value={vehicleId} onChange={(event) => setVehicleId(event.target.value)}>
          <option value="">Pair later</option>
          {vehicles.map((device) => (
            <option key={device.id} value={device.id}>
              {device.name}
            </option>
          ))}
        </select>
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={trunkDelivery && vehicleId !== ""}
          disabled={vehicleId === ""}
          onChange={(event) => setTrunkDelivery(event.target.checked)}
        />
        Allow deliveries into the trunk
      </label>
      <label>
        If the trunk cannot be opened
        <select value={fallback} onChange={(event) => setFallback(event.target.value as Car["fallback"])}>
          {FALLBACKS.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.words}
            </option>
          ))}
        </select>
      </label>
      <label>
        Backup address or locker (shown to the courier)
        <input value={fields.fallbackNote} onChange={set("fallbackNote")} maxLength={300} />
      </label>
      {problem ? (
        <p className="note note-error" role="alert">
          {problem}
        </p>
      ) : null}
      {add.isError ? <ErrorNote error={add.error} title="The car was not added." /> : null}
      {added ? (
        <p className="note note-ok" role="status">
          {added} added. It shows on Home with its position and lock state.
        </p>
      ) : null}
      <Button type="submit" pending={add.isPending} pendingLabel="Adding…">
        Add car
      </Button>
    </form>
  );
}
