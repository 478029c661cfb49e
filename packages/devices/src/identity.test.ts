import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportPublicKey, generateEd25519 } from "@threshold/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DeviceIdentity, loadIdentity, saveIdentity, trustedServerKeys } from "./identity.js";
import { makeTestDevice } from "./test-support/identities.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "threshold-identity-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("device identity files", () => {
  it("save and load the same identity, readable by the owner only, with no temporary file left", async () => {
    const { identity } = makeTestDevice("lock", "mqtt://127.0.0.1:1883");
    const path = join(dir, "front-door.json");
    await saveIdentity(path, identity);
    expect(await loadIdentity(path)).toEqual(identity);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(["front-door.json"]);
  });

  it("replace an existing file whole", async () => {
    const { identity } = makeTestDevice("camera", "mqtt://127.0.0.1:1883");
    const path = join(dir, "porch.json");
    await saveIdentity(path, identity);
    const newKey = { kid: "k2", publicKey: exportPublicKey(generateEd25519().publicKey) };
    const rotated: DeviceIdentity = { ...identity, trustedKid: "k2", serverKeys: [...identity.serverKeys, newKey] };
    await saveIdentity(path, rotated);
    expect(await loadIdentity(path)).toEqual(rotated);
    expect(await readdir(dir)).toEqual(["porch.json"]);
  });

  it("refuse to save an identity that could not be loaded back", async () => {
    const { identity } = makeTestDevice("lock", "mqtt://127.0.0.1:1883");
    const path = join(dir, "broken.json");
    await expect(saveIdentity(path, { ...identity, trustedKid: "nope" })).rejects.toThrow(
      /trustedKid must name one of serverKeys/,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it("list everything wrong with a damaged file", async () => {
    const path = join(dir, "damaged.json");
    await writeFile(path, JSON.stringify({ deviceId: "dev_../../x", kind: "toaster", serverKeys: [] }));
    const error = await loadIdentity(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain("deviceId must be a device id");
    expect(message).toContain('kind must be "lock", "camera", "garage_opener", "locker_controller" or "vehicle"');
    expect(message).toContain("privateKeyPem must be an Ed25519 private key");
    expect(message).toContain("serverKeys must be a non-empty list");
    await writeFile(path, "{ half a fi");
    await expect(loadIdentity(path)).rejects.toThrow(/is not valid JSON/);
    expect(await readFile(path, "utf8")).toBe("{ half a fi");
  });

  it("trust only the server key named by trustedKid", () => {
    const { identity } = makeTestDevice("lock", "mqtt://127.0.0.1:1883");
    const old = { kid: "k0", publicKey: identity.serverKeys[0]?.publicKey ?? "" };
    expect(trustedServerKeys({ ...identity, serverKeys: [old, ...identity.serverKeys] })).toEqual(identity.serverKeys);
  });
});
