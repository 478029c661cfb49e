import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idempotencyHeader, withIdempotency } from "../../http/idempotency.js";
import { idParam } from "../../http/ownership.js";
import { PUBLIC, SESSION_ONLY, SESSION_OR_API_KEY } from "../auth/security.js";
import {
  AddResidentBody,
  AuditOpenBody,
  BankParams,
  CompartmentParams,
  CreateBankBody,
  DropOffBody,
  KioskCodeBody,
  LockerBank,
  LockerDashboard,
  LockerParcel,
  OpenInAppBody,
  PackageRoomBody,
  ParcelParams,
  ServiceBody,
  ShareBody,
  StartReturnBody,
} from "./schemas.js";
import { LockerService } from "./service.js";

const IDEMPOTENCY_HEADER = idempotencyHeader("the compartment opens once.");

const Opened = Type.Object({
  parcel: LockerParcel,
  compartment: Type.Integer({ description: "The compartment that is open now." }),
  bankId: Type.String(),
  skipped: Type.Array(Type.Integer(), { description: "Compartments that would not open (now out of service)." }),
});

const CompartmentOpened = Type.Object({ compartment: Type.Integer(), bankId: Type.String() });

/** Parcel lockers (docs/lockers.md). */
export async function lockerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const lockers = new LockerService(ctx);
  const tags = ["lockers"];

  api.post(
    "/lockers/banks",
    {
      schema: {
        tags,
        summary: "Set up a locker bank at a building you manage, with its compartments",
        description:
          "The building's manager (the site's owner) only: operators get 403 (they may look but not change), anyone else 404 for a site or device that is not theirs. The controller must be a locker_controller paired at that site. 409 when the controller already drives a bank; 422 device_kind_mismatch.",
        security: SESSION_ONLY,
        body: CreateBankBody,
        response: { 201: LockerBank, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await lockers.createBank(requireActor(request), request.body)),
  );

  api.get(
    "/lockers/banks",
    {
      schema: {
        tags,
        summary: "Locker banks: a manager's own (with compartment states); for others every bank's public face",
        description: "siteId narrows it to one building (a courier finds the bank of a locker stop).",
        security: SESSION_ONLY,
        querystring: Type.Object({ siteId: Type.Optional(idParam("site", "Only this building's banks.")) }),
        response: { 200: Type.Object({ banks: Type.Array(LockerBank) }), ...errorResponses(400, 401) },
      },
    },
    async (request) => ({ banks: await lockers.listBanks(requireActor(request), request.query.siteId) }),
  );

  api.get(
    "/lockers/banks/:id",
    {
      schema: {
        tags,
        summary: "A locker bank: its compartments (sizes, temperature) and how many are free; states for its managers",
        description: "Public, as the bank's kiosk screen shows it: no parcel, resident or code is ever in this answer.",
        security: PUBLIC,
        params: BankParams,
        response: { 200: LockerBank, ...errorResponses(400, 404) },
      },
    },
    async (request) => lockers.getBank(request.actor, request.params.id),
  );

  api.post(
    "/lockers/banks/:id/residents",
    {
      schema: {
        tags,
        summary: "Register a resident of the building (by the email of their Threshold account)",
        description:
          "The building's manager only: operators get 403, anyone else 404. Carriers address locker shipments to registered residents only.",
        security: SESSION_ONLY,
        params: BankParams,
        body: AddResidentBody,
        response: {
          200: Type.Object({ userId: Type.String(), unit: Type.String(), accessible: Type.Boolean() }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => lockers.addResident(requireActor(request), request.params.id, request.body),
  );

  api.post(
    "/lockers/banks/:id/drop-offs",
    {
      schema: {
        tags,
        summary: "Courier: scan a locker shipment at this bank; the best compartment opens",
        description: [
          "Couriers, for shipments assigned to them. Threshold reserves the smallest free compartment that fits the parcel (right temperature, accessible for residents who asked, packed with the same resident's parcels when they fit), atomically, and opens it. Put the parcel in and close the door: the controller's door and occupancy sensors confirm the deposit, the shipment becomes in_locker and the resident gets the pickup code.",
          "A compartment that will not open is put out of service and the next one opens (skipped lists them). 409 locker_full when nothing fits: details.alternatives lists nearby banks with room (scan there: the resident is told where it went) and details.packageRoom the building's package room. 503 controller_offline when the bank does not answer.",
        ].join("\n\n"),
        security: SESSION_ONLY,
        headers: IDEMPOTENCY_HEADER,
        params: BankParams,
        body: DropOffBody,
        response: { 200: Opened, ...errorResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return (
        await withIdempotency(ctx, request, `locker-drop:${actor.kind === "user" ? actor.userId : ""}`, async () => ({
          status: 200,
          body: await lockers.dropOff(actor, request.params.id, request.body),
        }))
      ).body;
    },
  );

  api.post(
    "/lockers/parcels/:id/does-not-fit",
    {
      schema: {
        tags,
        summary: "Courier: the parcel does not fit the open compartment; a bigger one opens",
        description: "409 locker_full (with alternatives) when no bigger compartment is free.",
        security: SESSION_ONLY,
        params: ParcelParams,
        response: { 200: Opened, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => lockers.doesNotFit(requireActor(request), request.params.id),
  );

  api.post(
    "/lockers/package-room",
    {
      schema: {
        tags,
        summary: "Courier: leave a locker shipment in the building's package room (no compartment fits)",
        description: "The shipment is delivered there and the resident is told where it is.",
        security: SESSION_ONLY,
        body: PackageRoomBody,
        response: { 200: Type.Object({ packageRoom: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => lockers.toPackageRoom(requireActor(request), request.body.trackingNumber),
  );

  api.post(
    "/lockers/banks/:id/kiosk/code",
    {
      schema: {
        tags,
        summary: "Kiosk: a pickup code (or a return's drop code) typed or scanned at the bank; its compartment opens",
        description:
          "Public: the bank's own screen calls it. Answers only the compartment number. 409 already_collected for a code already used (never counted as a wrong try); 404 wrong_pickup_code for a code that opens nothing here. Wrong codes count per source: a signed-in caller's own, the anonymous keypad's per bank. After too many (5 by default within 15 min) that source gets 429 kiosk_locked_out with details.until and details.retryAfterS, and the building manager is alerted. The same codes work at the controller's own keypad with no network (docs/lockers.md).",
        security: PUBLIC,
        params: BankParams,
        body: KioskCodeBody,
        response: {
          200: Type.Object({
            compartment: Type.Integer(),
            kind: Type.Union([Type.Literal("pickup"), Type.Literal("return_drop")]),
          }),
          ...errorResponses(400, 404, 409, 429, 503),
        },
      },
    },
    async (request) => lockers.kioskCode(request.params.id, request.body, request.actor),
  );

  api.get(
    "/lockers/parcels",
    {
      schema: {
        tags,
        summary: "Resident: your locker parcels and returns, and those shared with you, with pickup codes and QR",
        security: SESSION_ONLY,
        response: { 200: Type.Object({ parcels: Type.Array(LockerParcel) }), ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ parcels: await lockers.myParcels(requireActor(request)) }),
  );

  api.get(
    "/lockers/parcels/:id",
    {
      schema: {
        tags,
        summary: "One locker parcel; the code only for its resident and those they shared it with",
        description: "Its courier, its carrier and the bank's managers see it without the code; anyone else gets 404.",
        security: SESSION_OR_API_KEY,
        params: ParcelParams,
        response: { 200: LockerParcel, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => lockers.getParcel(requireActor(request), request.params.id),
  );

  api.post(
    "/lockers/parcels/:id/open",
    {
      schema: {
        tags,
        summary: "Resident: open the compartment from the app, standing at the building (geofence)",
        description: "403 outside_geofence when you are not at the building; 409 parcel_not_in_locker.",
        security: SESSION_ONLY,
        headers: IDEMPOTENCY_HEADER,
        params: ParcelParams,
        body: OpenInAppBody,
        response: { 200: CompartmentOpened, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return (
        await withIdempotency(ctx, request, `locker-open:${actor.kind === "user" ? actor.userId : ""}`, async () => ({
          status: 200,
          body: await lockers.openInApp(actor, request.params.id, request.body.location),
        }))
      ).body;
    },
  );

  api.post(
    "/lockers/parcels/:id/shares",
    {
      schema: {
        tags,
        summary: "Resident: share a pickup with another Threshold user (they see the code and may open it)",
        description:
          "A compartment has one door and one code: a parcel that shares its compartment with other parcels is shared only together with them (wholeCompartment: true); otherwise 409 shares_compartment names the compartment and the other parcels, and nothing is shared.",
        security: SESSION_ONLY,
        params: ParcelParams,
        body: ShareBody,
        response: {
          200: Type.Object({
            parcelId: Type.String(),
            sharedWith: Type.String(),
            parcelIds: Type.Array(Type.String(), {
              description: "Every parcel now behind the compartment's door: all of them shared with that person.",
            }),
          }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => lockers.share(requireActor(request), request.params.id, request.body),
  );

  api.post(
    "/lockers/parcels/:id/extend",
    {
      schema: {
        tags,
        summary: "Resident: extend the pickup period once, by the bank's period",
        description: "409 already_extended the second time.",
        security: SESSION_ONLY,
        params: ParcelParams,
        response: { 200: LockerParcel, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => lockers.extend(requireActor(request), request.params.id),
  );

  api.post(
    "/lockers/returns",
    {
      schema: {
        tags,
        summary: "Resident: start a return at your building's bank; a compartment is reserved and you get a drop code",
        description:
          "The drop code is shown once, in this answer: type it at the kiosk, the reserved compartment opens, put the parcel in and close it. The carrier's courier collects it. 409 locker_full when nothing fits.",
        security: SESSION_ONLY,
        body: StartReturnBody,
        response: {
          201: Type.Object({ parcel: LockerParcel, dropCode: Type.String() }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => reply.status(201).send(await lockers.startReturn(requireActor(request), request.body)),
  );

  api.get(
    "/lockers/banks/:id/collections",
    {
      schema: {
        tags,
        summary: "Courier: your carrier's parcels to take from this bank (expired deliveries, dropped returns)",
        security: SESSION_ONLY,
        params: BankParams,
        response: { 200: Type.Object({ parcels: Type.Array(LockerParcel) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ parcels: await lockers.collectable(requireActor(request), request.params.id) }),
  );

  api.post(
    "/lockers/parcels/:id/collect",
    {
      schema: {
        tags,
        summary: "Courier: open the compartment of an expired parcel or a dropped return of your carrier",
        description: "Take it out and close the door: the empty compartment confirms the collection.",
        security: SESSION_ONLY,
        params: ParcelParams,
        response: { 200: CompartmentOpened, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => lockers.collect(requireActor(request), request.params.id),
  );

  api.get(
    "/lockers/banks/:id/dashboard",
    {
      schema: {
        tags,
        summary: "Manager: occupancy, parcels waiting and their age, expiries, returns, compartments out of service",
        description: "The building's manager, and operators (to look); anyone else 404.",
        security: SESSION_ONLY,
        params: BankParams,
        response: { 200: LockerDashboard, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => lockers.dashboard(requireActor(request), request.params.id),
  );

  api.post(
    "/lockers/banks/:id/compartments/:number/open",
    {
      schema: {
        tags,
        summary: "Manager: open a compartment for an audit; logged with your reason",
        description:
          "The building's manager only, as only a home's owner opens its doors: operators get 403, anyone else 404. The audit log keeps who, why and whether it opened (locker.audit_open).",
        security: SESSION_ONLY,
        params: CompartmentParams,
        body: AuditOpenBody,
        response: {
          200: Type.Object({ compartment: Type.Integer(), opened: Type.Boolean() }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) =>
      lockers.auditOpen(requireActor(request), request.params.id, request.params.number, request.body.reason),
  );

  api.post(
    "/lockers/banks/:id/compartments/:number/service",
    {
      schema: {
        tags,
        summary: "Manager: put a compartment out of service, or back in service",
        description: "The building's manager only: operators get 403, anyone else 404. Audited with the reason.",
        security: SESSION_ONLY,
        params: CompartmentParams,
        body: ServiceBody,
        response: { 200: LockerBank, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      lockers.setService(
        requireActor(request),
        request.params.id,
        request.params.number,
        request.body.inService,
        request.body.reason,
      ),
  );
}
