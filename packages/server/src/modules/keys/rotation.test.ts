import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { apiClient } from "../../test/http.js";

describe.each(TEST_DATABASES)("server key rotation on %s", (database) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ database });
  });
  afterAll(() => server.destroy());

  it("rotates for operators only, and records who rotated which key", async () => {
    const request = apiClient(server.url);
    const previousKid = server.ctx.keyring.currentKid;
    const recipient = await signInAs(server, "recipient");
    expect((await request("POST", "/v1/operator/keys/rotate", { cookie: recipient.cookie })).status).toBe(403);
    expect(server.ctx.keyring.currentKid).toBe(previousKid);

    const operator = await signInAs(server, "operator");
    const res = await request("POST", "/v1/operator/keys/rotate", { cookie: operator.cookie });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kid: server.ctx.keyring.currentKid, devices: { total: 0 } });
    expect(res.body.kid).not.toBe(previousKid);

    const events = await auditEventsAbout(server, res.body.kid);
    expect(events).toMatchObject([
      {
        type: "server_key.rotated",
        subjectType: "server_key",
        siteId: null,
        actorType: "user",
        actorId: operator.id,
        data: { kid: res.body.kid, publicKey: res.body.publicKey, previousKid },
      },
    ]);
    // The new key is on record with the event, the old one retired.
    const keys = await server.ctx.db.selectFrom("server_keys").selectAll().orderBy("created_at").execute();
    expect(keys.map((k) => [k.kid, k.retired_at === null])).toEqual([
      [previousKid, false],
      [res.body.kid, true],
    ]);
    expect(await server.ctx.audit.verify()).toMatchObject({ ok: true });
  });
});
