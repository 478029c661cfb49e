import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createHome, type TestHome } from "../../test/home.js";

describe.each(TEST_DATABASES)("the owner's own lock and unlock on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let stranger: SignedInUser;
  let operator: SignedInUser;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    stranger = await signInAs(server, "recipient");
    operator = await signInAs(server, "operator");
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const control = (action: "open" | "secure", cookie = home.recipient.cookie) =>
    home.request("POST", `/v1/access-points/${home.accessPointId}/${action}`, { cookie });

  it("unlocks and locks by signed command, recorded under the owner's name; an open door cannot be locked", async () => {
    const opened = await control("open");
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ action: "open", status: "succeeded", reason: null });
    expect(home.lock.state.lock).toBe("unlocked");

    home.lock.openDoor();
    const refused = await control("secure");
    expect(refused.body).toMatchObject({ status: "failed", reason: "door_open" });
    home.lock.closeDoor();
    expect((await control("secure")).body).toMatchObject({ status: "succeeded" });
    expect(home.lock.state.lock).toBe("locked");

    const audit = await server.ctx.db
      .selectFrom("audit_events")
      .select(["type", "actor_id"])
      .where("subject_id", "=", home.accessPointId)
      .where("type", "like", "%_by_owner")
      .orderBy("seq")
      .execute();
    expect(audit.map((e) => e.type)).toEqual([
      "access_point.opened_by_owner",
      "access_point.secured_by_owner",
      "access_point.secured_by_owner",
    ]);
    expect(audit.every((e) => e.actor_id === home.recipient.id)).toBe(true);
  });

  it("works through a keypad lockout", async () => {
    for (let i = 0; i < 5; i++) home.lock.enterWrongCode();
    expect(home.lock.state.lockedOut).toBe(true);
    expect((await control("open")).body).toMatchObject({ status: "succeeded" });
    expect((await control("secure")).body).toMatchObject({ status: "succeeded" });
  });

  it("is the owner's alone", async () => {
    expect((await control("open", stranger.cookie)).status).toBe(404);
    expect((await control("open", home.courier.cookie)).status).toBe(404);
    expect((await control("open", operator.cookie)).status).toBe(403);
    expect((await home.request("POST", `/v1/access-points/${home.accessPointId}/open`)).status).toBe(401);
    expect(
      (
        await home.request("POST", "/v1/access-points/acp_00000000000000000000000000/open", {
          cookie: home.recipient.cookie,
        })
      ).status,
    ).toBe(404);
    expect((await home.request("POST", "/v1/access-points/nope/open", { cookie: home.recipient.cookie })).status).toBe(
      400,
    );
    expect(home.lock.state.lock).toBe("locked");
  });
});
