import type { EventType } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditInput, AuditLog, SYSTEM_ACTOR } from "../../audit/audit-log.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { createSite } from "../../test/pairing.js";
import { openSse, type SseMessage, type SseStream } from "../../test/sse.js";

type ErrorBody = { error: { code: string } };

describe.each(TEST_DATABASES)("GET /v1/events/stream on %s", (database) => {
  let server: TestServer;
  let request: ApiRequest;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let aliceSite: string;
  let bobSite: string;
  const streams: SseStream[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database });
    request = apiClient(server.url);
    alice = await signInAs(server, "recipient");
    bob = await signInAs(server, "recipient");
    aliceSite = (await createSite(request, alice, "Alice's home")).id;
    bobSite = (await createSite(request, bob, "Bob's home")).id;
  });
  // The server ends the streams as it closes. (Aborting them first would leave the fetch client's spare
  // connections, which never send a request, and those hold a Node server's close open.)
  afterAll(async () => {
    await server.destroy();
    for (const stream of streams) stream.close();
  });

  const open = async (user: SignedInUser, options: { lastEventId?: number; after?: number } = {}) => {
    const query = options.after === undefined ? "" : `?after=${options.after}`;
    const stream = await openSse(`${server.url}/v1/events/stream${query}`, {
      cookie: user.cookie,
      ...(options.lastEventId === undefined ? {} : { "last-event-id": String(options.lastEventId) }),
    });
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  };

  let serial = 0;
  const fact = (
    siteId: string | null,
    data: Record<string, unknown> = {},
    type: EventType = "consent.updated",
  ): AuditInput => ({
    type,
    subjectType: "test",
    subjectId: `t${++serial}`,
    siteId,
    actor: SYSTEM_ACTOR,
    data,
  });
  const record = async (...facts: AuditInput[]) => server.ctx.audit.record(...facts);
  const seqs = (messages: SseMessage[]) => messages.map((m) => Number(m.id));

  it("sends a recipient their own sites' events in order, as the audit API shows them, and no one else's", async () => {
    const stream = await open(alice);
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    expect(stream.headers.get("cache-control")).toBe("no-cache");
    expect(stream.headers.get("x-accel-buffering")).toBe("no");

    await record(fact(bobSite));
    const [first] = await record(fact(aliceSite, { n: 1 }));
    await record(fact(null), fact(bobSite), fact(aliceSite, { n: 2 }), fact(bobSite));
    const [firstMessage, second] = await stream.take(2);
    expect(firstMessage?.id).toBe(String(first?.seq));
    expect(firstMessage?.event).toBe("consent.updated");
    const audited = await request("GET", `/v1/audit/events?subjectId=${first?.subjectId}`, {
      cookie: alice.cookie,
    });
    expect(JSON.parse(firstMessage?.data ?? "")).toEqual(audited.body.events[0]);
    expect(JSON.parse(firstMessage?.data ?? "")).toMatchObject({
      siteId: aliceSite,
      data: { n: 1 },
      at: expect.any(String),
    });
    expect(JSON.parse(second?.data ?? "")).toMatchObject({ siteId: aliceSite, data: { n: 2 } });

    // A site created while connected is seen at once: its own creation and what follows.
    const newSite = (await createSite(request, alice, "Cabin")).id;
    await record(fact(bobSite), fact(newSite, { n: 3 }));
    const [created, third] = await stream.take(2);
    expect(created).toMatchObject({ event: "site.created" });
    expect(JSON.parse(created?.data ?? "")).toMatchObject({ subjectId: newSite, siteId: newSite, actorId: alice.id });
    expect(JSON.parse(third?.data ?? "")).toMatchObject({ siteId: newSite, data: { n: 3 } });
    expect(Number(created?.id)).toBeLessThan(Number(third?.id));

    // Bob's stream, opened alongside, sees only Bob's.
    const bobs = await open(bob);
    const [bobsFact] = await record(fact(aliceSite), fact(bobSite, { mine: true }));
    expect((await bobs.next()).id).toBe(String((bobsFact?.seq ?? 0) + 1));
  });

  it("resumes after Last-Event-ID with exactly the missed events, then goes live", async () => {
    const first = await open(alice);
    const [e1] = await record(fact(aliceSite, { n: 1 }));
    expect((await first.next()).id).toBe(String(e1?.seq));
    first.close();

    const missed = await record(fact(aliceSite, { n: 2 }), fact(bobSite), fact(aliceSite, { n: 3 }));
    const again = await open(alice, { lastEventId: e1?.seq ?? 0, after: 0 });
    expect(seqs(await again.take(2))).toEqual([missed[0]?.seq, missed[2]?.seq]);
    const [live] = await record(fact(aliceSite, { n: 4 }));
    const [after] = await record(fact(bobSite), fact(aliceSite, { n: 5 }));
    expect(seqs(await again.take(2))).toEqual([live?.seq, (after?.seq ?? 0) + 1]);

    // ?after= does the same for clients that cannot set the header.
    const byQuery = await open(alice, { after: e1?.seq ?? 0 });
    expect(seqs(await byQuery.take(4))).toEqual([missed[0]?.seq, missed[2]?.seq, live?.seq, (after?.seq ?? 0) + 1]);
  });

  it("replays a long backlog page by page, then goes live without a gap or a repeat", async () => {
    const [mark] = await record(fact(bobSite));
    const backlog = await record(
      ...Array.from({ length: 1_200 }, (_, i) => fact(i % 2 === 0 ? aliceSite : bobSite, { i })),
    );
    const stream = await open(alice, { lastEventId: mark?.seq ?? 0 });
    // Appended while the replay runs: delivered once, after the backlog.
    const during = record(fact(aliceSite, { during: true }));
    const expected = backlog.filter((e) => e.siteId === aliceSite).map((e) => e.seq);
    const received = seqs(await stream.take(expected.length));
    expect(received).toEqual(expected);
    const [duringEvent] = await during;
    const [last] = await record(fact(aliceSite, { last: true }));
    expect(seqs(await stream.take(2))).toEqual([duringEvent?.seq, last?.seq]);
  });

  it("sends a courier only the visit and incident events naming them", async () => {
    const courier = await signInAs(server, "courier");
    const other = await signInAs(server, "courier", { carrierId: courier.carrierId ?? undefined });
    const stream = await open(courier);
    const visit = (courierId: string, type: EventType) => ({
      ...fact(aliceSite, { courierId }, type),
      subjectType: type.startsWith("incident.") ? "incident" : "visit",
    });
    const events = await record(
      visit(other.id, "visit.authorized"),
      visit(courier.id, "visit.authorized"),
      { ...fact(aliceSite, { courierId: courier.id }, "shipment.assigned"), subjectType: "shipment" },
      visit(courier.id, "incident.opened"),
      visit(other.id, "incident.opened"),
      { ...fact(aliceSite, {}, "visit.opened"), subjectType: "visit" },
      visit(courier.id, "visit.secured"),
    );
    const received = await stream.take(3);
    expect(received.map((m) => m.event)).toEqual(["visit.authorized", "incident.opened", "visit.secured"]);
    expect(seqs(received)).toEqual([events[1]?.seq, events[3]?.seq, events[6]?.seq]);
    // Nothing else was pending: the next one is the next fact about them.
    const [next] = await record(visit(other.id, "visit.opened"), visit(courier.id, "visit.opened"));
    expect((await stream.next()).id).toBe(String((next?.seq ?? 0) + 1));
  });

  it("sends operators everything, including what another server process appends", async () => {
    const operator = await signInAs(server, "operator");
    const stream = await open(operator);
    // A second process: same database, its own AuditLog, so no in-process wake-up; the poll finds it.
    const elsewhere = new AuditLog(server.ctx.db, server.ctx.storage.dialect, server.ctx.clock);
    const [a, b] = await elsewhere.record(fact(bobSite), fact(null));
    expect(seqs(await stream.take(2, 5_000))).toEqual([a?.seq, b?.seq]);
    const [c] = await record(fact(aliceSite));
    expect(seqs(await stream.take(1))).toEqual([c?.seq]);
  });

  it("refuses anonymous callers (401), API keys and other roles (403) and bad resume points (400)", async () => {
    const url = `${server.url}/v1/events/stream`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as ErrorBody).error.code).toBe("unauthenticated");

    const admin = await signInAs(server, "carrier_admin");
    const key = await request("POST", "/v1/api-keys", {
      cookie: admin.cookie,
      body: { name: "events", scopes: ["shipments:read"] },
    });
    expect(key.status).toBe(201);
    const byKey = await fetch(url, { headers: { authorization: `Bearer ${key.body.key}` } });
    expect(byKey.status).toBe(403);
    expect(((await byKey.json()) as ErrorBody).error.code).toBe("forbidden");

    const byAdmin = await fetch(url, { headers: { cookie: admin.cookie } });
    expect(byAdmin.status).toBe(403);
    await byAdmin.body?.cancel();

    for (const headers of [{ "last-event-id": "abc" }, { "last-event-id": "-1" }]) {
      const res = await fetch(url, { headers: { cookie: alice.cookie, ...headers } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error.code).toBe("invalid_request");
    }
    const badQuery = await fetch(`${url}?after=x`, { headers: { cookie: alice.cookie } });
    expect(badQuery.status).toBe(400);
  });
});

describe.each(TEST_DATABASES)("closing the server with open event streams on %s", (database) => {
  it("ends the streams and finishes closing", async () => {
    const server = await startTestServer({ database });
    try {
      const recipient = await signInAs(server, "recipient");
      const stream = await openSse(`${server.url}/v1/events/stream`, { cookie: recipient.cookie });
      const catchingUp = await openSse(`${server.url}/v1/events/stream?after=0`, { cookie: recipient.cookie });
      expect([stream.status, catchingUp.status]).toEqual([200, 200]);
      // An open stream would keep the HTTP server from ever closing: stop() would not resolve and
      // the test would fail on its timeout. How fast it closes is no business of a test.
      await server.stop();
      await stream.ended;
      await catchingUp.ended;
    } finally {
      await server.destroy();
    }
  });
});
