import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createBuilding, INPOST, type TestBuilding } from "../../test/lockers.js";

interface AuditEvent {
  type: string;
  siteId: string | null;
  data: Record<string, unknown>;
}

describe.each(TEST_DATABASES)("a building manager reading the audit log on %s", (database) => {
  let server: TestServer;
  let ours: TestBuilding;
  let theirs: TestBuilding;

  beforeAll(async () => {
    server = await startTestServer({ database });
    const compartments = [{ number: 1, ...INPOST.A }];
    ours = await createBuilding(server, { compartments, name: "Canal House" });
    theirs = await createBuilding(server, { compartments, name: "Harbour View" });
    // An audited open at each building: the manager's own act, logged at the building's site.
    for (const b of [ours, theirs]) {
      const opened = await b.request("POST", `/v1/lockers/banks/${b.bankId}/compartments/1/open`, {
        cookie: b.manager.cookie,
        body: { reason: "yearly inspection" },
      });
      expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    }
  });
  afterAll(async () => {
    await ours?.stop();
    await theirs?.stop();
    await server?.destroy();
  });

  const read = (query: string, cookie = ours.manager.cookie) =>
    ours.request("GET", `/v1/audit/events${query}`, { cookie });

  it("sees the events of the buildings they manage, their audited opens among them", async () => {
    const res = await read("?limit=500");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const events = res.body.events as AuditEvent[];
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.siteId === ours.siteId)).toBe(true);
    const audited = events.find((e) => e.type === "locker.audit_open");
    expect(audited?.data).toMatchObject({ bankId: ours.bankId, compartment: 1, reason: "yearly inspection" });
  });

  it("filters as the operator's view does: by site, by type prefix", async () => {
    const res = await read(`?siteId=${ours.siteId}&type=locker.`);
    expect(res.status).toBe(200);
    const events = res.body.events as AuditEvent[];
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["locker.bank_created", "locker.audit_open"]));
    expect(events.every((e) => e.type.startsWith("locker.") && e.siteId === ours.siteId)).toBe(true);
  });

  it("never sees another building's events: they are left out, and asking for that site is 404", async () => {
    const all = await read("?limit=500");
    expect((all.body.events as AuditEvent[]).some((e) => e.siteId === theirs.siteId)).toBe(false);
    const asked = await read(`?siteId=${theirs.siteId}`);
    expect(asked.status).toBe(404);
    expect(asked.body.error.code).toBe("not_found");
    const bySubject = await read(`?subjectId=${theirs.bankId}`);
    expect(bySubject.status).toBe(200);
    expect(bySubject.body.events).toEqual([]);
  });

  it("lists newest first with order=desc, pages back with beforeSeq, and keeps oldest first by default", async () => {
    const seqs = (body: { events: { seq: number }[] }) => body.events.map((e) => e.seq);
    const oldestFirst = seqs((await read("?limit=500")).body);
    expect(oldestFirst.length).toBeGreaterThan(3);
    expect(oldestFirst).toEqual([...oldestFirst].sort((a, b) => a - b));

    const newest = await read("?order=desc&limit=2");
    expect(newest.status).toBe(200);
    expect(seqs(newest.body)).toEqual(oldestFirst.slice(-2).reverse());
    const before = seqs(newest.body).at(-1);
    const next = await read(`?order=desc&limit=2&beforeSeq=${before}`);
    expect(seqs(next.body)).toEqual(oldestFirst.slice(-4, -2).reverse());

    // Still only this building's events, and bad values are refused with the usual code.
    const all = await read("?order=desc&limit=500");
    expect(seqs(all.body)).toEqual([...oldestFirst].reverse());
    for (const bad of ["?order=newest", "?beforeSeq=0", "?beforeSeq=x"]) {
      const res = await read(bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code, bad).toBe("invalid_request");
    }
    const foreign = await read(`?order=desc&siteId=${theirs.siteId}`);
    expect(foreign.status).toBe(404);
  });

  it("filters by actor: only what that person did, and still only in their own buildings", async () => {
    const mine = await read(`?actorId=${ours.manager.id}&limit=500`);
    expect(mine.status).toBe(200);
    const events = mine.body.events as (AuditEvent & { actorId: string | null })[];
    expect(events.map((e) => e.type)).toContain("locker.audit_open");
    expect(events.every((e) => e.actorId === ours.manager.id && e.siteId === ours.siteId)).toBe(true);
    // The other building's manager acted too, but not here: nothing of theirs shows.
    const theirsHere = await read(`?actorId=${theirs.manager.id}&limit=500`);
    expect(theirsHere.body.events).toEqual([]);
  });
});
