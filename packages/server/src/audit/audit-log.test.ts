import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../test/databases.js";
import { signInAs } from "../test/fixtures.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { apiClient } from "../test/http.js";
import { AuditLog, SYSTEM_ACTOR } from "./audit-log.js";

describe.each(TEST_DATABASES)("the audit log on %s", (database) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ database });
  });
  afterAll(() => server.destroy());

  const record = (n: number, siteId: string | null = null) =>
    server.ctx.audit.record(
      ...Array.from({ length: n }, (_, i) => ({
        type: "consent.updated" as const,
        subjectType: "test",
        subjectId: `t${i}`,
        siteId,
        actor: SYSTEM_ACTOR,
        data: { i },
      })),
    );

  it("chains events appended concurrently into one gapless order", async () => {
    await Promise.all(Array.from({ length: 20 }, () => record(3)));
    expect(await server.ctx.audit.verify()).toMatchObject({ ok: true });
    const rows = await server.ctx.db.selectFrom("audit_events").select("seq").orderBy("seq").execute();
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
  });

  it("undoes a failing transaction alone when concurrent ones commit with it", async () => {
    const before = (await server.ctx.audit.since(0, 100_000)).length;
    const attempt = (i: number) =>
      server.ctx.audit.transaction(async (trx, recordIn) => {
        await trx
          .insertInto("worker_cursors")
          .values({ name: `group-test-${i}`, position: i, updated_at: 0 })
          .execute();
        recordIn({ type: "consent.updated", subjectType: "test", subjectId: `g${i}`, actor: SYSTEM_ACTOR });
        if (i % 3 === 0) throw new Error(`unit ${i} fails`);
        return i;
      });
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => attempt(i)));
    expect(outcomes.map((o) => o.status)).toEqual(
      Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? "rejected" : "fulfilled")),
    );
    const cursors = await server.ctx.db
      .selectFrom("worker_cursors")
      .select("name")
      .where("name", "like", "group-test-%")
      .execute();
    expect(cursors.map((c) => c.name).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => i)
        .filter((i) => i % 3 !== 0)
        .map((i) => `group-test-${i}`)
        .sort(),
    );
    const events = await server.ctx.audit.since(0, 100_000);
    expect(events.length - before).toBe(8);
    expect(
      events
        .filter((e) => e.subjectType === "test" && e.subjectId.startsWith("g"))
        .map((e) => Number(e.subjectId.slice(1)) % 3),
    ).not.toContain(0);
    expect(await server.ctx.audit.verify()).toMatchObject({ ok: true });
  });

  it("acknowledges and announces a transaction only once it is durable", async () => {
    let release = () => {};
    const disk = new Promise<void>((resolve) => {
      release = resolve;
    });
    let askedDisk = () => {};
    const diskAsked = new Promise<void>((resolve) => {
      askedDisk = resolve;
    });
    const log = new AuditLog(server.ctx.db, server.ctx.storage.dialect, server.ctx.clock, () => {
      askedDisk();
      return disk;
    });
    const heard: number[] = [];
    log.on("appended", (events) => heard.push(...events.map((e) => e.seq)));
    let acknowledged = false;
    const written = log
      .record({ type: "consent.updated", subjectType: "test", subjectId: "d", actor: SYSTEM_ACTOR })
      .then(() => {
        acknowledged = true;
      });
    // The commit is done and the log waits on the disk: only the disk can acknowledge it now.
    await diskAsked;
    await new Promise((resolve) => setImmediate(resolve));
    expect(acknowledged).toBe(false);
    expect(heard).toEqual([]);
    release();
    await written;
    expect(acknowledged).toBe(true);
    expect(heard).toHaveLength(1);
  });

  it("verifies correctly while events are being appended", async () => {
    let appending = true;
    const writers = Array.from({ length: 3 }, async () => {
      while (appending) await record(1);
    });
    try {
      for (let i = 0; i < 20; i++) expect(await server.ctx.audit.verify()).toMatchObject({ ok: true });
    } finally {
      appending = false;
      await Promise.all(writers);
    }
  });

  it("announces events after they commit, not before", async () => {
    const heard: number[] = [];
    server.ctx.audit.once("appended", (events) => heard.push(...events.map((e) => e.seq)));
    await expect(
      server.ctx.audit.transaction(async (_trx, recordIn) => {
        recordIn({ type: "consent.updated", subjectType: "test", subjectId: "x", actor: SYSTEM_ACTOR });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(heard).toEqual([]);
    const [event] = await record(1);
    expect(heard).toEqual([event?.seq]);
  });

  it.each([
    [
      "an edit",
      "bad_hash",
      (t: TestServer, seq: number) =>
        t.ctx.db.updateTable("audit_events").set({ data: '{"i":99}' }).where("seq", "=", seq).execute(),
    ],
    [
      "a deletion",
      "gap",
      (t: TestServer, seq: number) => t.ctx.db.deleteFrom("audit_events").where("seq", "=", seq).execute(),
    ],
    [
      "a reordering",
      "broken_link",
      async (t: TestServer, seq: number) => {
        const [a, b] = await t.ctx.db
          .selectFrom("audit_events")
          .selectAll()
          .where("seq", "in", [seq, seq + 1])
          .orderBy("seq")
          .execute();
        if (!a || !b) throw new Error("need two events");
        await t.ctx.db
          .deleteFrom("audit_events")
          .where("seq", "in", [seq, seq + 1])
          .execute();
        await t.ctx.db
          .insertInto("audit_events")
          .values([
            { ...b, seq },
            { ...a, seq: seq + 1 },
          ])
          .execute();
      },
    ],
    [
      "deleting the newest events",
      "head_mismatch",
      async (t: TestServer, seq: number) => {
        await t.ctx.db.deleteFrom("audit_events").where("seq", ">=", seq).execute();
      },
    ],
  ])("catches %s and names the first bad event", async (_name, kind, tamper) => {
    const fresh = await startTestServer({ database });
    try {
      const events = await fresh.ctx.audit.record(
        ...Array.from({ length: 6 }, (_, i) => ({
          type: "consent.updated" as const,
          subjectType: "test",
          subjectId: `t${i}`,
          actor: SYSTEM_ACTOR,
        })),
      );
      const target = events[3]?.seq ?? 0;
      await tamper(fresh, target);
      const result = await fresh.ctx.audit.verify();
      expect(result).toMatchObject({ ok: false, problem: { kind, seq: target } });
    } finally {
      await fresh.destroy();
    }
  });

  it("lets recipients read only their own sites' events; operators read all", async () => {
    const alice = await signInAs(server, "recipient");
    const bob = await signInAs(server, "recipient");
    const operator = await signInAs(server, "operator");
    const request = apiClient(server.url);
    const site = (
      await request("POST", "/v1/sites", {
        cookie: alice.cookie,
        body: {
          name: "Home",
          address: { line1: "1 A St", city: "X", postalCode: "1", country: "NL" },
          location: { lat: 52, lng: 4 },
        },
      })
    ).body.id as string;
    await record(2, site);
    const own = await request("GET", `/v1/audit/events?siteId=${site}`, { cookie: alice.cookie });
    expect(own.status).toBe(200);
    expect(own.body.events.length).toBeGreaterThanOrEqual(2);
    expect(own.body.events.every((e: { siteId: string }) => e.siteId === site)).toBe(true);
    // Query integers are read as integers; a non-number is refused.
    const paged = await request("GET", `/v1/audit/events?siteId=${site}&limit=1&afterSeq=0`, { cookie: alice.cookie });
    expect(paged.body.events).toHaveLength(1);
    expect((await request("GET", "/v1/audit/events?limit=many", { cookie: alice.cookie })).status).toBe(400);
    const foreign = await request("GET", `/v1/audit/events?siteId=${site}`, { cookie: bob.cookie });
    expect(foreign.status).toBe(404);
    const bobAll = await request("GET", "/v1/audit/events", { cookie: bob.cookie });
    expect(bobAll.body.events.some((e: { siteId: string | null }) => e.siteId === site)).toBe(false);
    const all = await request("GET", "/v1/audit/events?type=consent.&limit=500", { cookie: operator.cookie });
    expect(all.body.events.length).toBeGreaterThan(2);
    expect(all.body.events.every((e: { type: string }) => e.type.startsWith("consent."))).toBe(true);
    const courier = await signInAs(server, "courier");
    expect((await request("GET", "/v1/audit/events", { cookie: courier.cookie })).status).toBe(403);
    expect((await request("POST", "/v1/operator/audit/verify", { cookie: alice.cookie })).status).toBe(403);
    expect((await request("POST", "/v1/operator/audit/verify", { cookie: operator.cookie })).body).toMatchObject({
      ok: true,
    });
  });
});
