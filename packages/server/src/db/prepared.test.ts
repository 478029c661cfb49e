import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, TEST_DATABASES } from "../test/databases.js";
import { migrateToLatest, openStorage, type Storage } from "./database.js";
import { PreparedQuery } from "./prepared.js";

const CARRIER_BY_NAME = new PreparedQuery<{ name: string; after: number }, { id: string }>(["name", "after"], (db, p) =>
  db.selectFrom("carriers").select("id").where("name", "=", p.name).where("created_at", ">", p.after).orderBy("id"),
);

describe.each(TEST_DATABASES)("prepared queries on %s", (dialect) => {
  let storage: Storage;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    if (dialect === "postgres") {
      const database = await createPostgresDatabase();
      cleanups.push(database.drop);
      storage = openStorage({ databaseUrl: database.url });
    } else {
      const dir = await mkdtemp(join(tmpdir(), "threshold-prepared-"));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      storage = openStorage({ sqlitePath: join(dir, "db.sqlite") });
    }
    await migrateToLatest(storage.db);
    await storage.db
      .insertInto("carriers")
      .values([
        { id: "car_a", name: "Parcelo", created_at: 10 },
        { id: "car_b", name: "Parcelo", created_at: 20 },
        { id: "car_c", name: "Swift", created_at: 30 },
      ])
      .execute();
  });
  afterAll(async () => {
    await storage?.close();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("runs the query compiled once with each call's parameters, in their places", async () => {
    expect(await CARRIER_BY_NAME.execute(storage.db, { name: "Parcelo", after: 0 })).toEqual([
      { id: "car_a" },
      { id: "car_b" },
    ]);
    expect(await CARRIER_BY_NAME.execute(storage.db, { name: "Parcelo", after: 15 })).toEqual([{ id: "car_b" }]);
    expect(await CARRIER_BY_NAME.executeTakeFirst(storage.db, { name: "Swift", after: 0 })).toEqual({ id: "car_c" });
    expect(await CARRIER_BY_NAME.executeTakeFirst(storage.db, { name: "Nobody", after: 0 })).toBeUndefined();
  });

  it("refuses a build that does not use a parameter as a value", async () => {
    const shapeDependsOnIt = new PreparedQuery<{ name: string }, { id: string }>(["name"], (db) =>
      db.selectFrom("carriers").select("id"),
    );
    await expect(shapeDependsOnIt.execute(storage.db, { name: "x" })).rejects.toThrow(/does not use name/);
  });
});
