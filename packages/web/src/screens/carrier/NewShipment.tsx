import { type FormEvent, useEffect, useId, useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../../api";
import { useSession } from "../../session";
import { Button } from "../../ui/button";
import { Spinner } from "../../ui/feedback";
import { formatWindow } from "../../ui/format";
import {
  type DeliveryMethod,
  type Destination,
  type NewShipment as NewShipmentBody,
  useCouriers,
  useCreateShipment,
  useDestinations,
} from "./carrier-data";
import { describedBy, FieldHint, FieldProblemNote } from "./form-field";
import { bodyOf, type FieldProblem, problemOf, type ShipmentDraft, type ShipmentField } from "./shipment-form";
import { METHOD_HINTS, METHOD_WORDS } from "./words";
import { browserTimeZone, knownTimeZones, wallClockIn, zonedToIso, zoneLabel } from "./zoned-time";

/** Every method, for a place Threshold has not seen from this carrier: the server then decides. */
const ALL_METHODS: DeliveryMethod[] = ["in_home", "in_garage", "in_fridge", "in_trunk", "locker", "doorstep"];
const OTHER_PLACE = "other";
const DAY_MS = 86_400_000;

function addressOf(destination: Destination): string {
  const { line1, line2, postalCode, city } = destination.address;
  return [line1, line2, `${postalCode} ${city}`].filter(Boolean).join(", ");
}

function initialDraft(): ShipmentDraft {
  return {
    trackingNumber: "",
    siteId: "",
    method: "doorstep",
    date: "",
    from: "09:00",
    to: "13:00",
    residentEmail: "",
    lengthCm: "",
    widthCm: "",
    heightCm: "",
    weightG: "",
    perishable: false,
    frozen: false,
    signatureRequired: false,
    courierId: "",
  };
}

/** Which field each part of the draft belongs to. */
const FIELD_OF_KEY: Record<keyof ShipmentDraft, ShipmentField | null> = {
  trackingNumber: "trackingNumber",
  siteId: "destination",
  method: "method",
  date: "window",
  from: "window",
  to: "window",
  residentEmail: "residentEmail",
  lengthCm: "size",
  widthCm: "size",
  heightCm: "size",
  weightG: "weightG",
  perishable: "perishable",
  frozen: null,
  signatureRequired: null,
  courierId: "courierId",
};

/** The ids of the controls a problem can be about, so focus goes to the field the server named. */
const CONTROL_OF: Record<ShipmentField, string> = {
  destination: "ns-destination",
  method: "ns-method",
  trackingNumber: "ns-tracking",
  window: "ns-date",
  residentEmail: "ns-resident",
  size: "ns-length",
  weightG: "ns-weight",
  perishable: "ns-perishable",
  courierId: "ns-courier",
};

/**
 * A dispatcher creates a shipment: picks the place from those the carrier has shipped to (or
 * enters the site id the recipient gave at checkout), a method that place takes, the window in the
 * place's own zone, and optionally the courier. What the server refuses is shown next to the field
 * it is about, in the server's words.
 */
export function NewShipment() {
  const { me } = useSession();
  const navigate = useNavigate();
  const destinations = useDestinations();
  const couriers = useCouriers(me.carrierId);
  const create = useCreateShipment();
  const [typed, setTyped] = useState<ShipmentDraft>(initialDraft);
  const [chosenPlace, setChosenPlace] = useState<string>("");
  const [otherZone, setOtherZone] = useState(browserTimeZone);
  const [problem, setProblem] = useState<FieldProblem | null>(null);
  const [assigning, setAssigning] = useState(false);
  const ids = { hint: useId(), problem: useId(), zone: useId() };

  const known = destinations.data ?? [];
  // Until the dispatcher chooses, the place shipped to most recently (or an id, when there is none).
  const choice = chosenPlace || (known[0]?.siteId ?? OTHER_PLACE);
  const picked = known.find((d) => d.siteId === choice) ?? null;
  const methods = picked ? picked.methods.map((m) => m.method) : ALL_METHODS;
  // The method chosen, unless the place does not take it: then the first it takes.
  const method = methods.includes(typed.method) ? typed.method : (methods[0] ?? "doorstep");
  const timeZone = picked?.methods.find((m) => m.method === method)?.timeZone ?? otherZone;
  // The day defaults to tomorrow in the place's zone.
  const date = typed.date || wallClockIn(Date.now() + DAY_MS, timeZone).date;
  const draft: ShipmentDraft = { ...typed, siteId: picked ? picked.siteId : typed.siteId, method, date };
  const change = (patch: Partial<ShipmentDraft>) => {
    setTyped((d) => ({ ...d, ...patch }));
    // Editing the field a problem is about clears it: the next answer is the server's again.
    if (
      problem?.field &&
      Object.keys(patch).some((key) => FIELD_OF_KEY[key as keyof ShipmentDraft] === problem.field)
    ) {
      setProblem(null);
    }
  };

  // Focus the field the problem is about, so keyboard and screen-reader users land on it.
  useEffect(() => {
    if (problem?.field) document.getElementById(CONTROL_OF[problem.field])?.focus();
  }, [problem]);

  // The window as the label will print it, so the dispatcher sees the zone's reading of what they typed.
  const start = zonedToIso(draft.date, draft.from, timeZone);
  const end = zonedToIso(draft.date, draft.to, timeZone);
  const preview = start && end ? formatWindow({ start, end }, timeZone) : null;
  const windowZone = zoneLabel(timeZone, Date.now());
  const problemFor = (field: ShipmentField) => (problem?.field === field ? problem.message : null);
  const invalid = (field: ShipmentField) => (problem?.field === field ? true : undefined);
  const problemId = (field: ShipmentField) => (problem?.field === field ? `${ids.problem}-${field}` : null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = bodyOf(draft, timeZone);
    if (!("window" in body)) {
      setProblem(body as FieldProblem);
      return;
    }
    setProblem(null);
    let created: { id: string };
    try {
      created = await create.mutateAsync(body as NewShipmentBody);
    } catch (error) {
      setProblem(problemOf(error));
      return;
    }
    let notice = `Shipment ${body.trackingNumber} created.`;
    if (draft.courierId) {
      setAssigning(true);
      const assigned = await api.POST("/v1/shipments/{id}/assign", {
        params: { path: { id: created.id } },
        body: { courierId: draft.courierId },
      });
      setAssigning(false);
      try {
        unwrap(assigned);
      } catch (error) {
        notice = `Shipment ${body.trackingNumber} created, but not assigned: ${problemOf(error).message}`;
      }
    }
    navigate(`/shipments/${created.id}/label`, { state: { notice } });
  };

  if (destinations.isPending) return <Spinner label="Loading your destinations…" />;

  return (
    <div className="stack cr-page">
      <Link to="/shipments" className="small tap-link">
        ← All shipments
      </Link>
      <h1>New shipment</h1>
      <form className="card stack cr-form" onSubmit={submit} noValidate aria-label="New shipment">
        <div className="cr-field">
          <label htmlFor="ns-destination">Destination</label>
          <select
            id="ns-destination"
            value={choice}
            aria-invalid={invalid("destination")}
            aria-describedby={describedBy(problemId("destination"))}
            onChange={(e) => {
              setChosenPlace(e.target.value);
              setProblem(null);
            }}
          >
            {known.map((d) => (
              <option key={d.siteId} value={d.siteId}>
                {addressOf(d)} ({d.name})
              </option>
            ))}
            <option value={OTHER_PLACE}>Another place: the site id from checkout</option>
          </select>
          {destinations.isError ? (
            <p className="small muted cr-flush">Your earlier destinations could not be loaded; enter a site id.</p>
          ) : null}
          {choice === OTHER_PLACE ? null : (
            <FieldProblemNote id={`${ids.problem}-destination`} message={problemFor("destination")} />
          )}
        </div>
        {choice === OTHER_PLACE ? (
          <>
            <div className="cr-field">
              <label htmlFor="ns-site">Site id</label>
              <input
                id="ns-site"
                value={draft.siteId}
                autoComplete="off"
                spellCheck={false}
                placeholder="sit_…"
                aria-invalid={invalid("destination")}
                aria-describedby={describedBy(`${ids.hint}-site`, problemId("destination"))}
                onChange={(e) => change({ siteId: e.target.value })}
              />
              <FieldHint id={`${ids.hint}-site`}>
                The recipient's place, as your checkout received it. Places you have shipped to are in the list above.
              </FieldHint>
              <FieldProblemNote id={`${ids.problem}-destination`} message={problemFor("destination")} />
            </div>
            <div className="cr-field">
              <label htmlFor={ids.zone}>The place's time zone</label>
              <select id={ids.zone} value={otherZone} onChange={(e) => setOtherZone(e.target.value)}>
                {knownTimeZones().map((zone) => (
                  <option key={zone} value={zone}>
                    {zone.replaceAll("_", " ")}
                  </option>
                ))}
              </select>
            </div>
          </>
        ) : null}

        <fieldset
          className="cr-fieldset"
          id="ns-method"
          tabIndex={-1}
          aria-describedby={describedBy(problemId("method"))}
        >
          <legend>Method</legend>
          {picked && methods.length < ALL_METHODS.length ? (
            <p className="small muted cr-flush">Only what this place takes now is offered.</p>
          ) : null}
          {methods.map((method) => (
            <label key={method} className="checkbox cr-choice">
              <input
                type="radio"
                name="method"
                value={method}
                checked={draft.method === method}
                onChange={() => change({ method })}
              />
              <span>
                {METHOD_WORDS[method] ?? method}
                <span className="small muted cr-choice-hint">{METHOD_HINTS[method]}</span>
              </span>
            </label>
          ))}
          <FieldProblemNote id={`${ids.problem}-method`} message={problemFor("method")} />
        </fieldset>

        <div className="cr-field">
          <label htmlFor="ns-tracking">Tracking number</label>
          <input
            id="ns-tracking"
            value={draft.trackingNumber}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={invalid("trackingNumber")}
            aria-describedby={describedBy(`${ids.hint}-tracking`, problemId("trackingNumber"))}
            onChange={(e) => change({ trackingNumber: e.target.value })}
          />
          <FieldHint id={`${ids.hint}-tracking`}>The barcode on the label: letters, digits and hyphens.</FieldHint>
          <FieldProblemNote id={`${ids.problem}-trackingNumber`} message={problemFor("trackingNumber")} />
        </div>

        <fieldset className="cr-fieldset" aria-describedby={describedBy(`${ids.hint}-window`, problemId("window"))}>
          <legend>Delivery window, {windowZone} time</legend>
          <div className="cr-window">
            <label htmlFor="ns-date">
              Day
              <input
                id="ns-date"
                type="date"
                value={draft.date}
                aria-invalid={invalid("window")}
                aria-describedby={describedBy(problemId("window"))}
                onChange={(e) => change({ date: e.target.value })}
              />
            </label>
            <label htmlFor="ns-from">
              From
              <input
                id="ns-from"
                type="time"
                value={draft.from}
                aria-invalid={invalid("window")}
                aria-describedby={describedBy(problemId("window"))}
                onChange={(e) => change({ from: e.target.value })}
              />
            </label>
            <label htmlFor="ns-to">
              To
              <input
                id="ns-to"
                type="time"
                value={draft.to}
                aria-invalid={invalid("window")}
                aria-describedby={describedBy(problemId("window"))}
                onChange={(e) => change({ to: e.target.value })}
              />
            </label>
          </div>
          <FieldHint id={`${ids.hint}-window`}>
            In the place's time, as the label prints it{preview ? `: ${preview}` : ""}. At most 12 hours.
          </FieldHint>
          <FieldProblemNote id={`${ids.problem}-window`} message={problemFor("window")} />
        </fieldset>

        {draft.method === "locker" ? (
          <div className="cr-field">
            <label htmlFor="ns-resident">Resident's email</label>
            <input
              id="ns-resident"
              type="email"
              value={draft.residentEmail}
              autoComplete="off"
              aria-invalid={invalid("residentEmail")}
              aria-describedby={describedBy(`${ids.hint}-resident`, problemId("residentEmail"))}
              onChange={(e) => change({ residentEmail: e.target.value })}
            />
            <FieldHint id={`${ids.hint}-resident`}>
              The resident the parcel is for, as registered by the building's manager.
            </FieldHint>
            <FieldProblemNote id={`${ids.problem}-residentEmail`} message={problemFor("residentEmail")} />
          </div>
        ) : null}

        <fieldset className="cr-fieldset">
          <legend>Parcel</legend>
          <p className="small muted cr-flush" id={`${ids.hint}-size`}>
            Size and weight: needed for lockers and trunks, optional otherwise.
          </p>
          <fieldset className="cr-size cr-bare" aria-describedby={describedBy(`${ids.hint}-size`, problemId("size"))}>
            <legend className="small">Size</legend>
            {(
              [
                ["ns-length", "Length (cm)", "lengthCm"],
                ["ns-width", "Width (cm)", "widthCm"],
                ["ns-height", "Height (cm)", "heightCm"],
              ] as const
            ).map(([id, label, key]) => (
              <label key={id} htmlFor={id}>
                {label}
                <input
                  id={id}
                  inputMode="numeric"
                  value={draft[key]}
                  aria-invalid={invalid("size")}
                  aria-describedby={describedBy(problemId("size"))}
                  onChange={(e) => change({ [key]: e.target.value })}
                />
              </label>
            ))}
          </fieldset>
          <FieldProblemNote id={`${ids.problem}-size`} message={problemFor("size")} />
          <div className="cr-field">
            <label htmlFor="ns-weight">Weight (g)</label>
            <input
              id="ns-weight"
              inputMode="numeric"
              value={draft.weightG}
              aria-invalid={invalid("weightG")}
              aria-describedby={describedBy(problemId("weightG"))}
              onChange={(e) => change({ weightG: e.target.value })}
            />
            <FieldProblemNote id={`${ids.problem}-weightG`} message={problemFor("weightG")} />
          </div>
          <label className="checkbox" htmlFor="ns-perishable">
            <input
              id="ns-perishable"
              type="checkbox"
              checked={draft.perishable}
              aria-invalid={invalid("perishable")}
              aria-describedby={describedBy(problemId("perishable"))}
              onChange={(e) => change({ perishable: e.target.checked })}
            />
            Perishable: keep cool
          </label>
          <FieldProblemNote id={`${ids.problem}-perishable`} message={problemFor("perishable")} />
          {draft.method === "locker" ? (
            <label className="checkbox" htmlFor="ns-frozen">
              <input
                id="ns-frozen"
                type="checkbox"
                checked={draft.frozen}
                onChange={(e) => change({ frozen: e.target.checked })}
              />
              Frozen: a frozen compartment
            </label>
          ) : null}
          <label className="checkbox" htmlFor="ns-signature">
            <input
              id="ns-signature"
              type="checkbox"
              checked={draft.signatureRequired}
              onChange={(e) => change({ signatureRequired: e.target.checked })}
            />
            Signature required
          </label>
        </fieldset>

        <div className="cr-field">
          <label htmlFor="ns-courier">Courier</label>
          <select
            id="ns-courier"
            value={draft.courierId}
            aria-invalid={invalid("courierId")}
            aria-describedby={describedBy(problemId("courierId"))}
            onChange={(e) => change({ courierId: e.target.value })}
          >
            <option value="">Assign later</option>
            {(couriers.data ?? []).map((courier) => (
              <option key={courier.id} value={courier.id}>
                {courier.name}
              </option>
            ))}
          </select>
          <FieldProblemNote id={`${ids.problem}-courierId`} message={problemFor("courierId")} />
        </div>

        {problem && problem.field === null ? (
          <p className="note note-error" role="alert">
            <strong>Not created. </strong>
            {problem.message}
          </p>
        ) : null}
        <Button
          type="submit"
          pending={create.isPending || assigning}
          pendingLabel={assigning ? "Assigning…" : "Creating…"}
        >
          Create shipment
        </Button>
      </form>
    </div>
  );
}
