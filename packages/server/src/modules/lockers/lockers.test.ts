import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_LOCKER, createBuilding, INPOST, type TestBuilding } from "../../test/lockers.js";
import { openSse } from "../../test/sse.js";
import { SteppableClock } from "../../test/steppable-clock.js";
import { until } from "../../test/wait.js";
import { hashSecret, newSessionToken, SESSION_COOKIE } from "../auth/tokens.js";
import { SiteOwners, viewerFor } from "../events/visibility.js";
import { createApiKey, HOUR, iso } from "../shipments/test-support/index.js";
import { WEBHOOK_EVENT_TYPES } from "../webhooks/event-types.js";
import { findCompartmentByNumber } from "./repository.js";
import { putOutOfService } from "./service.js";
import { LockerWorker } from "./worker.js";

const DAY = 24 * 3600_000;

describe.each(TEST_DATABASES)("parcel lockers on %s", (database) => {
  let server: TestServer;
  const clock = new SteppableClock();
  const buildings: TestBuilding[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
  });
  afterAll(async () => {
    for (const building of buildings) await building.stop();
    await server?.destroy();
  });

  async function building(options: Partial<Parameters<typeof createBuilding>[1]> = {}): Promise<TestBuilding> {
    const made = await createBuilding(server, {
      compartments: [
        { number: 1, ...INPOST.A },
        { number: 2, ...INPOST.B },
        { number: 3, ...INPOST.C },
      ],
      ...options,
    });
    buildings.push(made);
    return made;
  }

  /** A fresh session for an existing user (after the clock moved past the old one's expiry). */
  async function newSession(userId: string): Promise<string> {
    const token = newSessionToken();
    const now = clock.now();
    await server.ctx.db
      .insertInto("sessions")
      .values({
        token_hash: hashSecret(token),
        user_id: userId,
        created_at: now,
        expires_at: now + server.ctx.config.sessionTtlMs,
        ip: "127.0.0.1",
        user_agent: "test",
      })
      .execute();
    return `${SESSION_COOKIE}=${token}`;
  }

  const parcelStatus = async (parcelId: string) =>
    (await server.ctx.db.selectFrom("locker_parcels").select("status").where("id", "=", parcelId).executeTakeFirst())
      ?.status;
  const shipmentStatus = async (id: string) =>
    (await server.ctx.db.selectFrom("shipments").select("status").where("id", "=", id).executeTakeFirst())?.status;

  /** A courier drops a parcel: scan, the compartment opens, the parcel goes in, the door shuts. */
  async function dropOff(b: TestBuilding, trackingNumber: string, bankId = b.bankId, controller = b.controller) {
    const res = await b.request("POST", `/v1/lockers/banks/${bankId}/drop-offs`, {
      cookie: b.courier.cookie,
      body: { trackingNumber },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const n = res.body.compartment as number;
    controller.putParcel(n);
    controller.closeDoor(n);
    await until(async () => (await parcelStatus(res.body.parcel.id)) === "in_locker", 15_000, "deposit confirmed");
    return res.body as { parcel: { id: string }; compartment: number; skipped: number[] };
  }

  async function myParcel(b: TestBuilding, parcelId: string, cookie = b.resident.cookie) {
    const res = await b.request("GET", "/v1/lockers/parcels", { cookie });
    expect(res.status).toBe(200);
    return res.body.parcels.find((p: { id: string }) => p.id === parcelId);
  }

  it("drop-off → in_locker with a pickup code → pickup at the kiosk → delivered; the code then opens nothing (already collected)", async () => {
    const b = await building();
    const shipment = await b.shipment({ size: [30, 20, 5] });
    const dropped = await dropOff(b, shipment.trackingNumber);
    // The smallest that fits a 5 cm-thin parcel: compartment 1 (A, 8 cm).
    expect(dropped.compartment).toBe(1);
    expect(await shipmentStatus(shipment.id)).toBe("in_locker");

    const mine = await myParcel(b, dropped.parcel.id);
    expect(mine).toMatchObject({ status: "in_locker", bankId: b.bankId, compartment: 1, extended: false });
    expect(mine.code).toMatch(/^[0-9]{8}$/);
    expect(mine.qr).toBe(`threshold:pickup:${b.bankId}:${mine.code}`);
    expect(Date.parse(mine.expiresAt) - Date.parse(mine.depositedAt)).toBe(3 * DAY);
    const notified = (await auditEventsAbout(server, dropped.parcel.id)).find(
      (e) => e.type === "locker.parcel_in_locker",
    );
    expect(notified?.data).toMatchObject({ residentId: b.resident.id, notify: "resident", compartment: 1 });
    expect(JSON.stringify(notified?.data)).not.toContain(mine.code);
    // Routable to the carrier's webhooks: its type is offered, and it names the carrier.
    expect(WEBHOOK_EVENT_TYPES).toContain("locker.parcel_in_locker");
    expect(notified?.data.carrierId).toBe(b.carrierId);

    const opened = await b.request("POST", `/v1/lockers/banks/${b.bankId}/kiosk/code`, { body: { code: mine.code } });
    expect(opened.status).toBe(200);
    expect(opened.body).toEqual({ compartment: 1, kind: "pickup" });
    expect(b.controller.state.compartments.find((c) => c.n === 1)?.door).toBe("open");
    b.controller.takeParcel(1);
    b.controller.closeDoor(1);
    await until(async () => (await parcelStatus(dropped.parcel.id)) === "picked_up", 15_000, "pickup confirmed");
    expect(await shipmentStatus(shipment.id)).toBe("delivered");
    const again = await b.request("POST", `/v1/lockers/banks/${b.bankId}/kiosk/code`, { body: { code: mine.code } });
    // Spent, and said so (kiosk-codes.test.ts: never counted as a wrong try).
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("already_collected");
    const compartment = await server.ctx.db
      .selectFrom("compartments")
      .select(["state", "resident_id"])
      .where("bank_id", "=", b.bankId)
      .where("number", "=", 1)
      .executeTakeFirstOrThrow();
    expect(compartment).toEqual({ state: "free", resident_id: null });
  });

  it("tells the resident on their live stream (replayed too), never a neighbour", async () => {
    const b = await building();
    const before = await server.ctx.db
      .selectFrom("audit_events")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .executeTakeFirstOrThrow();
    const live = await openSse(`${server.url}/v1/events/stream`, { cookie: b.resident.cookie });
    try {
      const dropped = await dropOff(b, (await b.shipment()).trackingNumber);
      const seen: string[] = [];
      for (;;) {
        const message = await live.next();
        seen.push(message.event);
        if (message.event === "locker.parcel_in_locker") {
          expect(JSON.parse(message.data)).toMatchObject({ subjectId: dropped.parcel.id });
          break;
        }
      }
      expect(seen).toContain("locker.compartment_reserved");
      const replay = await openSse(`${server.url}/v1/events/stream?after=${Number(before.seq)}`, {
        cookie: b.resident.cookie,
      });
      try {
        const replayed: string[] = [];
        while (!replayed.includes("locker.parcel_in_locker")) replayed.push((await replay.next()).event);
        expect(replayed[0]).toBe("locker.compartment_reserved");
      } finally {
        replay.close();
      }
      const neighbour = await b.addResident();
      const event = (await auditEventsAbout(server, dropped.parcel.id)).find(
        (e) => e.type === "locker.parcel_in_locker",
      );
      if (!event) throw new Error("no locker.parcel_in_locker");
      const owners = new SiteOwners(server.ctx.db);
      await owners.load([event]);
      const as = (userId: string) =>
        viewerFor({ kind: "user", userId, role: "recipient", carrierId: null, sessionTokenHash: "" }).sees(
          event,
          owners,
        );
      expect(as(b.resident.id)).toBe(true);
      expect(as(neighbour.id)).toBe(false);
    } finally {
      live.close();
    }
  });

  it("never shows the code to the courier, the manager, another resident or a stranger", async () => {
    const b = await building();
    const shipment = await b.shipment();
    const dropped = await dropOff(b, shipment.trackingNumber);
    const path = `/v1/lockers/parcels/${dropped.parcel.id}`;
    const asResident = await b.request("GET", path, { cookie: b.resident.cookie });
    expect(asResident.body.code).toMatch(/^[0-9]{8}$/);
    for (const who of [b.courier, b.manager]) {
      const res = await b.request("GET", path, { cookie: who.cookie });
      expect(res.status).toBe(200);
      expect(res.body.code).toBeUndefined();
      expect(res.body.qr).toBeUndefined();
    }
    const neighbour = await b.addResident();
    const stranger = await signInAs(server, "recipient");
    const otherCourier = await signInAs(server, "courier");
    for (const who of [neighbour, stranger, otherCourier]) {
      const res = await b.request("GET", path, { cookie: who.cookie });
      expect(res.status).toBe(404);
      const list = await b.request("GET", "/v1/lockers/parcels", { cookie: who.cookie });
      expect(JSON.stringify(list.body)).not.toContain(dropped.parcel.id);
    }
    expect((await b.request("GET", path)).status).toBe(401);
    const bank = await b.request("GET", `/v1/lockers/banks/${b.bankId}`);
    expect(JSON.stringify(bank.body)).not.toContain(asResident.body.code);
    expect(bank.body.compartments[0].state).toBeUndefined();
  });

  it("a retried scan with the same Idempotency-Key opens the compartment once", async () => {
    const b = await building();
    const shipment = await b.shipment();
    const scan = () =>
      b.request("POST", `/v1/lockers/banks/${b.bankId}/drop-offs`, {
        cookie: b.courier.cookie,
        headers: { "idempotency-key": `scan-${shipment.id}` },
        body: { trackingNumber: shipment.trackingNumber },
      });
    const [one, two] = await Promise.all([scan(), scan()]);
    const answers = [one, two].filter((r) => r.status === 200);
    expect(answers.length).toBeGreaterThanOrEqual(1);
    for (const answer of answers) expect(answer.body).toEqual(answers[0]?.body);
    const commands = await server.ctx.db
      .selectFrom("commands")
      .select("id")
      .where("device_id", "=", b.controller.deviceId)
      .where("action", "=", "compartment_open")
      .execute();
    expect(commands).toHaveLength(1);
    const parcels = await server.ctx.db
      .selectFrom("locker_parcels")
      .select("id")
      .where("shipment_id", "=", shipment.id)
      .execute();
    expect(parcels).toHaveLength(1);
  });

  it("a jammed compartment goes out of service and the next one that fits opens", async () => {
    const b = await building();
    b.controller.jam(1);
    const shipment = await b.shipment({ size: [30, 20, 5] });
    const dropped = await dropOff(b, shipment.trackingNumber);
    expect(dropped.skipped).toEqual([1]);
    expect(dropped.compartment).toBe(2);
    const dashboard = await b.request("GET", `/v1/lockers/banks/${b.bankId}/dashboard`, { cookie: b.manager.cookie });
    // The failed open and the controller's `alarm.jammed` race; whichever lands first gives the reason.
    expect(dashboard.body.outOfService).toEqual([
      { compartment: 1, reason: expect.stringMatching(/^(did not open: )?jammed$/) },
    ]);
    // Both are one fault: the manager is told once.
    const jammed = await findCompartmentByNumber(server.ctx.db, b.bankId, 1);
    const outOfService = async () =>
      (await auditEventsAbout(server, jammed?.id ?? "")).filter((e) => e.type === "locker.compartment_out_of_service");
    const alarm = () =>
      server.ctx.db
        .selectFrom("device_events")
        .select("id")
        .where("device_id", "=", b.controller.deviceId)
        .where("type", "=", "alarm.jammed")
        .executeTakeFirst();
    await until(async () => (await alarm()) !== undefined, 15_000, "the controller's alarm.jammed");
    await server.ctx.gateway.idle();
    expect(await outOfService()).toHaveLength(1);
  });

  it("a compartment already out of service keeps its first reason; a manager's words replace it", async () => {
    const b = await building();
    const compartment = await findCompartmentByNumber(server.ctx.db, b.bankId, 3);
    const id = compartment?.id ?? "";
    const put = (reason: string) =>
      server.ctx.db.transaction().execute((trx) => putOutOfService(trx, id, reason, clock.now()));
    expect(await put("did not open: jammed")).toBe(true);
    expect(await put("jammed")).toBe(false);
    expect((await findCompartmentByNumber(server.ctx.db, b.bankId, 3))?.out_of_service_reason).toBe(
      "did not open: jammed",
    );
    const service = await b.request("POST", `/v1/lockers/banks/${b.bankId}/compartments/3/service`, {
      cookie: b.manager.cookie,
      body: { inService: false, reason: "Hinge replaced on Friday" },
    });
    expect(service.status, JSON.stringify(service.body)).toBe(200);
    expect((await findCompartmentByNumber(server.ctx.db, b.bankId, 3))?.out_of_service_reason).toBe(
      "Hinge replaced on Friday",
    );
  });

  it("a parcel that does not fit moves to a bigger compartment; none bigger → locker_full with the package room", async () => {
    const b = await building();
    const shipment = await b.shipment({ size: [30, 20, 5] });
    const res = await b.request("POST", `/v1/lockers/banks/${b.bankId}/drop-offs`, {
      cookie: b.courier.cookie,
      body: { trackingNumber: shipment.trackingNumber },
    });
    expect(res.body.compartment).toBe(1);
    b.controller.closeDoor(1);
    const moved = await b.request("POST", `/v1/lockers/parcels/${res.body.parcel.id}/does-not-fit`, {
      cookie: b.courier.cookie,
    });
    expect(moved.status).toBe(200);
    expect(moved.body.compartment).toBe(2);
    b.controller.closeDoor(2);
    const bigger = await b.request("POST", `/v1/lockers/parcels/${res.body.parcel.id}/does-not-fit`, {
      cookie: b.courier.cookie,
    });
    expect(bigger.body.compartment, JSON.stringify(bigger.body)).toBe(3);
    b.controller.closeDoor(3);
    const none = await b.request("POST", `/v1/lockers/parcels/${res.body.parcel.id}/does-not-fit`, {
      cookie: b.courier.cookie,
    });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe("locker_full");
    expect(none.body.error.details.packageRoom).toBe("Basement, room B1");
    expect(await parcelStatus(res.body.parcel.id)).toBe("cancelled");
    const room = await b.request("POST", "/v1/lockers/package-room", {
      cookie: b.courier.cookie,
      body: { trackingNumber: shipment.trackingNumber },
    });
    expect(room.body).toEqual({ packageRoom: "Basement, room B1" });
    expect(await shipmentStatus(shipment.id)).toBe("delivered");
  });

  it("locks the kiosk after five wrong codes and alerts the manager", async () => {
    const b = await building();
    const tries = [];
    for (let i = 0; i < 5; i++) {
      tries.push(await b.request("POST", `/v1/lockers/banks/${b.bankId}/kiosk/code`, { body: { code: "00000000" } }));
    }
    expect(tries.slice(0, 4).map((t) => t.body.error.code)).toEqual(Array(4).fill("wrong_pickup_code"));
    expect(tries[4]?.status).toBe(429);
    expect(tries[4]?.body.error.code).toBe("kiosk_locked_out");
    const shipment = await b.shipment();
    const dropped = await dropOff(b, shipment.trackingNumber);
    const code = (await myParcel(b, dropped.parcel.id)).code;
    // Even the right code waits for the lockout to end; the app still opens.
    const locked = await b.request("POST", `/v1/lockers/banks/${b.bankId}/kiosk/code`, { body: { code } });
    expect(locked.status).toBe(429);
    const alert = (await auditEventsAbout(server, b.bankId)).find((e) => e.type === "locker.wrong_code_limit");
    expect(alert?.data).toMatchObject({ attempts: 5, alert: "manager" });
    const garbage = await b.request("POST", `/v1/lockers/banks/${b.bankId}/kiosk/code`, { body: { code: "abc" } });
    expect(garbage.status).toBe(400);
  });

  it("opens in the app only at the building; a shared pickup works for the other person, never for a stranger", async () => {
    const b = await building();
    const shipment = await b.shipment();
    const dropped = await dropOff(b, shipment.trackingNumber);
    const open = (cookie: string, location: { lat: number; lng: number }) =>
      b.request("POST", `/v1/lockers/parcels/${dropped.parcel.id}/open`, { cookie, body: { location } });
    const far = await open(b.resident.cookie, { lat: 52.1, lng: 4.3 });
    expect(far.status).toBe(403);
    expect(far.body.error.code).toBe("outside_geofence");
    const stranger = await signInAs(server, "recipient");
    expect((await open(stranger.cookie, AT_THE_LOCKER)).status).toBe(404);
    const friend = await signInAs(server, "recipient");
    expect(
      (
        await b.request("POST", `/v1/lockers/parcels/${dropped.parcel.id}/shares`, {
          cookie: stranger.cookie,
          body: { email: friend.email },
        })
      ).status,
    ).toBe(404);
    const shared = await b.request("POST", `/v1/lockers/parcels/${dropped.parcel.id}/shares`, {
      cookie: b.resident.cookie,
      body: { email: friend.email },
    });
    expect(shared.status).toBe(200);
    const theirs = await myParcel(b, dropped.parcel.id, friend.cookie);
    expect(theirs.code).toBe((await myParcel(b, dropped.parcel.id)).code);
    const opened = await open(friend.cookie, AT_THE_LOCKER);
    expect(opened.status).toBe(200);
    expect(opened.body.compartment).toBe(dropped.compartment);
    b.controller.takeParcel(dropped.compartment);
    b.controller.closeDoor(dropped.compartment);
    await until(async () => (await parcelStatus(dropped.parcel.id)) === "picked_up");
    expect((await open(b.resident.cookie, AT_THE_LOCKER)).body.error.code).toBe("parcel_not_in_locker");
  });

  it("packs a resident's second parcel into the same compartment, never with another resident's", async () => {
    const b = await building({
      compartments: [
        { number: 1, ...INPOST.B },
        { number: 2, ...INPOST.B },
      ],
    });
    const first = await dropOff(b, (await b.shipment({ size: [30, 20, 5] })).trackingNumber);
    const second = await dropOff(b, (await b.shipment({ size: [30, 20, 5] })).trackingNumber);
    expect(second.compartment).toBe(first.compartment);
    const neighbour = await b.addResident();
    const theirs = await dropOff(b, (await b.shipment({ size: [30, 20, 5], resident: neighbour })).trackingNumber);
    expect(theirs.compartment).not.toBe(first.compartment);
    // Both of the first resident's parcels open with the compartment's one current code.
    const codes = new Set([(await myParcel(b, first.parcel.id)).code, (await myParcel(b, second.parcel.id)).code]);
    expect(codes.size).toBe(1);
  });

  it("the race for the last compartment: one winner, one clear locker_full", async () => {
    const b = await building({ compartments: [{ number: 1, ...INPOST.C }] });
    const secondCourier = await signInAs(server, "courier", { carrierId: b.carrierId });
    const other = await b.addResident();
    const one = await b.shipment();
    const two = await b.shipment({ resident: other, courierId: secondCourier.id });
    const [a, c] = await Promise.all([
      b.request("POST", `/v1/lockers/banks/${b.bankId}/drop-offs`, {
        cookie: b.courier.cookie,
        body: { trackingNumber: one.trackingNumber },
      }),
      b.request("POST", `/v1/lockers/banks/${b.bankId}/drop-offs`, {
        cookie: secondCourier.cookie,
        body: { trackingNumber: two.trackingNumber },
      }),
    ]);
    expect([a.status, c.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : c;
    expect(loser.body.error.code).toBe("locker_full");
    const live = await server.ctx.db
      .selectFrom("locker_parcels")
      .select(["resident_id"])
      .where("bank_id", "=", b.bankId)
      .where("status", "in", ["reserved", "open"])
      .execute();
    expect(live).toHaveLength(1);
  });

  it("overflow: a full bank names the nearest bank with room; the parcel goes there and the resident is told", async () => {
    // Far from the other tests' buildings, so the nearest bank with room is the one next door.
    const b = await building({ compartments: [{ number: 1, ...INPOST.A }], location: { lat: 48.8566, lng: 2.3522 } });
    const near = await building({
      name: "Next door lockers",
      location: { lat: 48.857, lng: 2.3526 },
      courier: b.courier,
    });
    await dropOff(b, (await b.shipment({ size: [30, 20, 5] })).trackingNumber);
    const neighbour = await b.addResident();
    const shipment = await b.shipment({ size: [30, 20, 5], resident: neighbour });
    const full = await b.request("POST", `/v1/lockers/banks/${b.bankId}/drop-offs`, {
      cookie: b.courier.cookie,
      body: { trackingNumber: shipment.trackingNumber },
    });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe("locker_full");
    expect(full.body.error.details.alternatives[0]).toMatchObject({ bankId: near.bankId, name: "Next door lockers" });
    expect(full.body.error.details.alternatives[0].distanceM).toBeLessThan(100);
    const dropped = await dropOff(b, shipment.trackingNumber, near.bankId, near.controller);
    const theirs = await myParcel(b, dropped.parcel.id, neighbour.cookie);
    expect(theirs).toMatchObject({
      bankId: near.bankId,
      bankName: "Next door lockers",
      overflow: true,
      status: "in_locker",
    });
  });

  it("expiry: a reminder, one extension, then marked for return and collected by the carrier's courier", async () => {
    const b = await building();
    const shipment = await b.shipment();
    const dropped = await dropOff(b, shipment.trackingNumber);
    const worker = new LockerWorker(server.ctx);
    clock.advance(2 * DAY + 3600_000);
    await worker.tick();
    // Two days on, the sessions of the morning have expired: sign in again.
    b.resident.cookie = await newSession(b.resident.id);
    b.courier.cookie = await newSession(b.courier.id);
    expect((await auditEventsAbout(server, dropped.parcel.id)).map((e) => e.type)).toContain("locker.pickup_reminder");
    const extended = await b.request("POST", `/v1/lockers/parcels/${dropped.parcel.id}/extend`, {
      cookie: b.resident.cookie,
    });
    expect(extended.status).toBe(200);
    expect(extended.body.extended).toBe(true);
    const twice = await b.request("POST", `/v1/lockers/parcels/${dropped.parcel.id}/extend`, {
      cookie: b.resident.cookie,
    });
    expect(twice.body.error.code).toBe("already_extended");
    clock.advance(2 * DAY);
    await worker.tick();
    expect(await parcelStatus(dropped.parcel.id)).toBe("in_locker");
    clock.advance(2 * DAY);
    await worker.tick();
    expect(await parcelStatus(dropped.parcel.id)).toBe("expired");
    b.resident.cookie = await newSession(b.resident.id);
    b.courier.cookie = await newSession(b.courier.id);
    expect(await shipmentStatus(shipment.id)).toBe("for_return");
    expect((await myParcel(b, dropped.parcel.id)).code).toBeUndefined();

    const list = await b.request("GET", `/v1/lockers/banks/${b.bankId}/collections`, { cookie: b.courier.cookie });
    expect(list.body.parcels.map((p: { id: string }) => p.id)).toEqual([dropped.parcel.id]);
    const otherCarrier = await signInAs(server, "courier");
    expect(
      (await b.request("POST", `/v1/lockers/parcels/${dropped.parcel.id}/collect`, { cookie: otherCarrier.cookie }))
        .status,
    ).toBe(404);
    const collect = await b.request("POST", `/v1/lockers/parcels/${dropped.parcel.id}/collect`, {
      cookie: b.courier.cookie,
    });
    expect(collect.status).toBe(200);
    b.controller.takeParcel(collect.body.compartment);
    b.controller.closeDoor(collect.body.compartment);
    await until(async () => (await parcelStatus(dropped.parcel.id)) === "collected");
    expect(await shipmentStatus(shipment.id)).toBe("returned");
  });

  it("returns: the resident reserves a compartment, drops with a code at the kiosk, the carrier collects", async () => {
    const b = await building();
    const started = await b.request("POST", "/v1/lockers/returns", {
      cookie: b.resident.cookie,
      body: { bankId: b.bankId, carrierId: b.carrierId, size: { lengthCm: 30, widthCm: 30, heightCm: 15 } },
    });
    expect(started.status).toBe(201);
    expect(started.body.dropCode).toMatch(/^[0-9]{8}$/);
    expect(started.body.parcel).toMatchObject({ kind: "return", status: "reserved", compartment: 2 });
    const stranger = await signInAs(server, "recipient");
    const notMine = await b.request("POST", "/v1/lockers/returns", {
      cookie: stranger.cookie,
      body: { bankId: b.bankId, carrierId: b.carrierId, size: { lengthCm: 30, widthCm: 30, heightCm: 15 } },
    });
    expect(notMine.status).toBe(404);
    const drop = await b.request("POST", `/v1/lockers/banks/${b.bankId}/kiosk/code`, {
      body: { code: started.body.dropCode },
    });
    expect(drop.body).toEqual({ compartment: 2, kind: "return_drop" });
    b.controller.putParcel(2);
    b.controller.closeDoor(2);
    await until(async () => (await parcelStatus(started.body.parcel.id)) === "dropped");
    const again = await b.request("POST", `/v1/lockers/banks/${b.bankId}/kiosk/code`, {
      body: { code: started.body.dropCode },
    });
    expect(again.status).toBe(404);
    const list = await b.request("GET", `/v1/lockers/banks/${b.bankId}/collections`, { cookie: b.courier.cookie });
    expect(list.body.parcels.map((p: { label: string }) => p.label)).toEqual([started.body.parcel.label]);
    const collect = await b.request("POST", `/v1/lockers/parcels/${started.body.parcel.id}/collect`, {
      cookie: b.courier.cookie,
    });
    expect(collect.status).toBe(200);
    b.controller.takeParcel(2);
    b.controller.closeDoor(2);
    await until(async () => (await parcelStatus(started.body.parcel.id)) === "collected");
  });

  it("offline: the controller checks the code itself, logs the pickup, reconciles when back, and the outage extends pickup periods", async () => {
    const b = await building();
    const one = await dropOff(b, (await b.shipment()).trackingNumber);
    const neighbour = await b.addResident();
    const two = await dropOff(b, (await b.shipment({ resident: neighbour, size: [30, 20, 15] })).trackingNumber);
    const code = (await myParcel(b, one.parcel.id)).code as string;
    const expiresBefore = Date.parse((await myParcel(b, two.parcel.id, neighbour.cookie)).expiresAt);
    await b.controller.goOffline();
    await until(
      async () => {
        const bank = await server.ctx.db
          .selectFrom("locker_banks")
          .select("offline_since")
          .where("id", "=", b.bankId)
          .executeTakeFirst();
        return bank?.offline_since !== null;
      },
      5_000,
      "bank seen offline",
    );
    clock.advance(3600_000);
    const verdict = await b.controller.enterCode(code);
    expect(verdict).toEqual({ result: "opened", compartment: one.compartment, offline: true });
    b.controller.takeParcel(one.compartment);
    b.controller.closeDoor(one.compartment);
    expect(await parcelStatus(one.parcel.id)).toBe("in_locker");
    await b.controller.goOnline();
    await until(async () => (await parcelStatus(one.parcel.id)) === "picked_up", 15_000, "offline pickup reconciled");
    const events = (await auditEventsAbout(server, one.parcel.id)).map((e) => e.type);
    expect(events).toContain("locker.parcel_picked_up");
    const picked = (await auditEventsAbout(server, one.parcel.id)).find((e) => e.type === "locker.parcel_picked_up");
    expect(picked?.data.offline).toBe(true);
    await until(
      async () => {
        const expires = Date.parse((await myParcel(b, two.parcel.id, neighbour.cookie)).expiresAt);
        return expires - expiresBefore >= 3600_000;
      },
      5_000,
      "pickup period extended by the outage",
    );
    // The same code does not open twice.
    expect((await b.controller.enterCode(code)).result).toBe("refused");
  });

  it("managers: dashboard and an audited open; nobody else sees or opens", async () => {
    const b = await building();
    const dropped = await dropOff(b, (await b.shipment()).trackingNumber);
    const dash = await b.request("GET", `/v1/lockers/banks/${b.bankId}/dashboard`, { cookie: b.manager.cookie });
    expect(dash.status).toBe(200);
    expect(dash.body.occupancy).toEqual({ total: 3, free: 2, reserved: 0, occupied: 1, outOfService: 0 });
    expect(dash.body.waiting).toEqual([
      expect.objectContaining({ parcelId: dropped.parcel.id, compartment: dropped.compartment, ageHours: 0 }),
    ]);
    const otherManager = await signInAs(server, "manager");
    const mine = await b.request("GET", "/v1/lockers/banks", { cookie: b.manager.cookie });
    expect(mine.body.banks.map((bank: { id: string }) => bank.id)).toEqual([b.bankId]);
    expect(mine.body.banks[0].compartments[0].state).toBeDefined();
    expect((await b.request("GET", "/v1/lockers/banks", { cookie: otherManager.cookie })).body.banks).toEqual([]);
    const forCourier = await b.request("GET", `/v1/lockers/banks?siteId=${b.siteId}`, { cookie: b.courier.cookie });
    expect(forCourier.body.banks.map((bank: { id: string }) => bank.id)).toEqual([b.bankId]);
    expect(forCourier.body.banks[0].compartments[0].state).toBeUndefined();
    for (const who of [otherManager, b.resident, b.courier]) {
      expect((await b.request("GET", `/v1/lockers/banks/${b.bankId}/dashboard`, { cookie: who.cookie })).status).toBe(
        404,
      );
      const open = await b.request("POST", `/v1/lockers/banks/${b.bankId}/compartments/1/open`, {
        cookie: who.cookie,
        body: { reason: "curious" },
      });
      expect(open.status).toBe(404);
      const service = await b.request("POST", `/v1/lockers/banks/${b.bankId}/compartments/1/service`, {
        cookie: who.cookie,
        body: { inService: false, reason: "mine now" },
      });
      expect(service.status).toBe(404);
      const resident = await b.request("POST", `/v1/lockers/banks/${b.bankId}/residents`, {
        cookie: who.cookie,
        body: { email: otherManager.email, unit: "9Z" },
      });
      expect(resident.status).toBe(404);
    }
    // Nothing of theirs changed the bank: compartment 1 still in service, no resident added.
    const after = await b.request("GET", `/v1/lockers/banks/${b.bankId}/dashboard`, { cookie: b.manager.cookie });
    expect(after.body.occupancy.outOfService).toBe(0);
    expect(
      await server.ctx.db
        .selectFrom("building_residents")
        .select("user_id")
        .where("user_id", "=", otherManager.id)
        .execute(),
    ).toEqual([]);
    const noReason = await b.request("POST", `/v1/lockers/banks/${b.bankId}/compartments/1/open`, {
      cookie: b.manager.cookie,
      body: {},
    });
    expect(noReason.status).toBe(400);
    const open = await b.request("POST", `/v1/lockers/banks/${b.bankId}/compartments/2/open`, {
      cookie: b.manager.cookie,
      body: { reason: "Resident reports a leaking bottle" },
    });
    expect(open.body).toEqual({ compartment: 2, opened: true });
    b.controller.closeDoor(2);
    const compartments = await server.ctx.db
      .selectFrom("compartments")
      .select("id")
      .where("bank_id", "=", b.bankId)
      .where("number", "=", 2)
      .executeTakeFirstOrThrow();
    const logged = (await auditEventsAbout(server, compartments.id)).find((e) => e.type === "locker.audit_open");
    expect(logged?.data).toMatchObject({ reason: "Resident reports a leaking bottle", result: "succeeded" });
    expect(logged).toMatchObject({ actorType: "user", actorId: b.manager.id });
  });

  it("operators look at a building's lockers but change nothing, as with a home's doors: 403, and nothing moves", async () => {
    const b = await building();
    const operator = await signInAs(server, "operator");
    const newcomer = await signInAs(server, "recipient");
    const as = { cookie: operator.cookie };
    // Looking is allowed: the dashboard, and the bank with its compartments' states.
    const dash = await b.request("GET", `/v1/lockers/banks/${b.bankId}/dashboard`, as);
    expect(dash.status).toBe(200);
    expect(dash.body.occupancy.total).toBe(3);
    expect((await b.request("GET", `/v1/lockers/banks/${b.bankId}`, as)).body.compartments[0].state).toBe("free");

    const commandsBefore = await server.ctx.db
      .selectFrom("commands")
      .select("id")
      .where("device_id", "=", b.controller.deviceId)
      .execute();
    const refusals = [
      await b.request("POST", `/v1/lockers/banks/${b.bankId}/residents`, {
        ...as,
        body: { email: newcomer.email, unit: "4B" },
      }),
      await b.request("POST", `/v1/lockers/banks/${b.bankId}/compartments/1/open`, {
        ...as,
        body: { reason: "Checking a stuck parcel" },
      }),
      await b.request("POST", `/v1/lockers/banks/${b.bankId}/compartments/1/service`, {
        ...as,
        body: { inService: false, reason: "Looks broken" },
      }),
      await b.request("POST", "/v1/lockers/banks", {
        ...as,
        body: {
          siteId: b.siteId,
          name: "Second bank",
          controllerDeviceId: b.controller.deviceId,
          compartments: [{ number: 1, ...INPOST.A }],
        },
      }),
    ];
    for (const res of refusals) {
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    // Nothing changed: no resident, no command to the controller, no audit open, still in service.
    expect(
      await server.ctx.db
        .selectFrom("building_residents")
        .select("user_id")
        .where("user_id", "=", newcomer.id)
        .execute(),
    ).toEqual([]);
    expect(
      await server.ctx.db.selectFrom("commands").select("id").where("device_id", "=", b.controller.deviceId).execute(),
    ).toEqual(commandsBefore);
    const compartment = await findCompartmentByNumber(server.ctx.db, b.bankId, 1);
    expect(compartment?.state).toBe("free");
    const events = (await auditEventsAbout(server, compartment?.id ?? "")).map((e) => e.type);
    expect(events).not.toContain("locker.audit_open");
    expect(events).not.toContain("locker.compartment_out_of_service");
  });

  it("carriers create locker shipments for registered residents only, with a size", async () => {
    const b = await building();
    const admin = await signInAs(server, "carrier_admin", { carrierId: b.carrierId });
    const key = await createApiKey(b.request, admin, ["shipments:read", "shipments:write"]);
    const now = clock.now();
    const body = (extra: Record<string, unknown>) => ({
      trackingNumber: `LKAPI${Math.floor(Math.random() * 1e9)}`,
      siteId: b.siteId,
      method: "locker",
      window: { start: iso(now), end: iso(now + 4 * HOUR) },
      size: { lengthCm: 30, widthCm: 20, heightCm: 10 },
      ...extra,
    });
    const created = await b.request("POST", "/v1/shipments", {
      bearer: key,
      body: body({ residentEmail: b.resident.email }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const row = await server.ctx.db
      .selectFrom("shipments")
      .selectAll()
      .where("id", "=", created.body.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ recipient_id: b.resident.id, method: "locker", locker_temperature: "ambient" });
    const frozen = await b.request("POST", "/v1/shipments", {
      bearer: key,
      body: body({ residentEmail: b.resident.email, flags: { frozen: true } }),
    });
    expect(frozen.status).toBe(201);
    const stranger = await signInAs(server, "recipient");
    const notResident = await b.request("POST", "/v1/shipments", {
      bearer: key,
      body: body({ residentEmail: stranger.email }),
    });
    expect(notResident.status).toBe(422);
    expect(notResident.body.error.code).toBe("not_a_resident");
    const noSize = await b.request("POST", "/v1/shipments", {
      bearer: key,
      body: { ...body({ residentEmail: b.resident.email }), size: undefined },
    });
    expect(noSize.status).toBe(400);
    const home = await b.request("POST", "/v1/sites", {
      cookie: stranger.cookie,
      body: {
        name: "Home",
        address: { line1: "2 Canal Street", city: "Amsterdam", postalCode: "1017 AB", country: "NL" },
        location: AT_THE_LOCKER,
        geofenceRadiusM: 100,
      },
    });
    const noLocker = await b.request("POST", "/v1/shipments", {
      bearer: key,
      body: { ...body({ residentEmail: stranger.email }), siteId: home.body.id },
    });
    expect(noLocker.status).toBe(422);
    expect(noLocker.body.error.code).toBe("method_not_suited");
  });

  it("refuses bad input and other people's objects, changing nothing", async () => {
    const b = await building();
    const otherManager = await signInAs(server, "manager");
    // A second bank on the building's controller, asked for by three people.
    const addBank = (cookie: string, name: string) =>
      b.request("POST", "/v1/lockers/banks", {
        cookie,
        body: {
          siteId: b.siteId,
          name,
          controllerDeviceId: b.controller.deviceId,
          compartments: [{ number: 1, ...INPOST.A }],
        },
      });
    expect((await addBank(otherManager.cookie, "Mine now")).status).toBe(404);
    expect((await addBank(b.resident.cookie, "x")).status).toBe(403);
    expect((await addBank(b.manager.cookie, "again")).status).toBe(409);
    const malformed = await b.request("POST", `/v1/lockers/banks/${b.bankId}/drop-offs`, {
      cookie: b.courier.cookie,
      body: { trackingNumber: 42 },
    });
    expect(malformed.status).toBe(400);
    expect((await b.request("GET", "/v1/lockers/banks/lkb_nope")).status).toBe(400);
    const otherCourier = await signInAs(server, "courier");
    const shipment = await b.shipment();
    const notTheirs = await b.request("POST", `/v1/lockers/banks/${b.bankId}/drop-offs`, {
      cookie: otherCourier.cookie,
      body: { trackingNumber: shipment.trackingNumber },
    });
    expect(notTheirs.status).toBe(404);
    const asResident = await b.request("POST", `/v1/lockers/banks/${b.bankId}/drop-offs`, {
      cookie: b.resident.cookie,
      body: { trackingNumber: shipment.trackingNumber },
    });
    expect(asResident.status).toBe(403);
    expect(
      await server.ctx.db.selectFrom("locker_parcels").select("id").where("shipment_id", "=", shipment.id).execute(),
    ).toEqual([]);
  });
});
