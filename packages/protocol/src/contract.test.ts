import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isId, ManualClock } from "@threshold/core";
import { Compile } from "typebox/compile";
import { describe, expect, it } from "vitest";
import { CommandVerifier } from "./command-verifier.js";
import {
  exampleSignerKey,
  getProtocolExample,
  loadProtocolExamples,
  type ProtocolExample,
  type ProtocolExampleOf,
} from "./examples.js";
import { JSON_SCHEMA_DIALECT, schemaFileName } from "./json-schema.js";
import { MESSAGE_KINDS, type MessageKind } from "./message-kinds.js";
import { GENERATED_JSON_DIRS, renderProtocolDocs } from "./protocol-docs.js";
import { CameraState, GarageOpenerState, LockerControllerState, LockState, VehicleState } from "./schemas.js";
import { verifyMessage } from "./signing.js";
import { EXAMPLE_IDENTITIES, loadProtocolTestKeys, PROTOCOL_DOCS_DIR } from "./test-keys.js";

/**
 * The published protocol docs are a contract: every example is a real, signed, valid message, the
 * JSON Schemas accept them, and the committed files are exactly what the generator makes today.
 */

const REGENERATE = "docs/protocol is stale: run `npx tsx packages/protocol/src/generate-docs.ts` and commit the result";

const keys = loadProtocolTestKeys();
const examples = loadProtocolExamples();
const all = [...examples.values()];
const ofKind = <K extends MessageKind>(kind: K) =>
  all.filter((example): example is ProtocolExampleOf<K> => example.kind === kind);

function readSchema(kind: MessageKind): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(PROTOCOL_DOCS_DIR, "schemas", schemaFileName(kind)), "utf8"));
}

/** The example with its time moved by 1 ms; the signature is left as it was. */
function tampered(example: ProtocolExample): { sig: string } {
  const copy = JSON.parse(example.payload) as { sig: string; at?: number; issuedAt?: number };
  if (copy.issuedAt !== undefined) copy.issuedAt += 1;
  else copy.at = (copy.at ?? 0) + 1;
  return copy;
}

describe("protocol examples", () => {
  it("cover every message the docs promise", () => {
    expect([...examples.keys()]).toEqual(
      expect.arrayContaining([
        "command.unlock",
        "command.lock",
        "command.record_start",
        "command.rotate_key",
        "command.ping",
        "ack.succeeded",
        "ack.failed-jammed",
        "ack.rejected-replayed",
        "event.lock.unlocked",
        "event.door.opened",
        "event.alarm.jammed",
        "event.camera.recording_started",
        "state.lock",
        "state.camera",
        "state.last-will",
        "command.open",
        "command.close",
        "ack.garage-opened",
        "ack.failed-obstructed",
        "event.garage.opened",
        "event.alarm.obstructed",
        "event.temperature.reported",
        "state.garage_opener",
        "state.lock-fridge",
        "command.compartment_open",
        "ack.compartment-opened",
        "event.compartment.closed",
        "event.pickup.offline",
        "state.locker_controller",
      ]),
    );
    for (const kind of MESSAGE_KINDS) expect(ofKind(kind).length, kind).toBeGreaterThan(0);
  });

  it.each(all.map((example) => [example.name, example] as const))("%s is signed by the key it names", (_, example) => {
    const signer = exampleSignerKey(example, keys);
    expect(signer, "no published test key for this example's signer").toBeDefined();
    if (!signer) return;
    expect(verifyMessage(example.message, signer)).toBe(true);
    // The check has teeth: the same signature over a changed message, or another key, fails.
    expect(verifyMessage(tampered(example), signer)).toBe(false);
    const stranger = example.kind === "command" ? keys.nextServer.pair.publicKey : keys.server.pair.publicKey;
    expect(verifyMessage(example.message, stranger)).toBe(false);
  });

  it("use well-formed ids, stricter than the schema's pattern", () => {
    for (const { name, message } of all) {
      expect(isId("device", message.deviceId), `${name} deviceId`).toBe(true);
      if ("commandId" in message) expect(isId("command", message.commandId), `${name} commandId`).toBe(true);
    }
    for (const { message } of ofKind("command")) expect(isId("command", message.id)).toBe(true);
    for (const { message } of ofKind("event")) expect(isId("event", message.id)).toBe(true);
  });

  it("tell one consistent story: acks answer example commands sent to the same device", () => {
    const commands = new Map(ofKind("command").map(({ message }) => [message.id, message]));
    for (const { name, message } of ofKind("ack")) {
      const command = commands.get(message.commandId);
      expect(command, `${name} answers no example command`).toBeDefined();
      expect(command?.deviceId, name).toBe(message.deviceId);
      expect(message.at, name).toBeGreaterThanOrEqual(command?.issuedAt ?? Number.POSITIVE_INFINITY);
    }
  });

  it("report a state that matches the device kind, and the last will says offline", () => {
    const lockState = Compile(LockState);
    const cameraState = Compile(CameraState);
    const garageState = Compile(GarageOpenerState);
    const shapes = {
      lock: lockState,
      camera: cameraState,
      garage_opener: garageState,
      locker_controller: Compile(LockerControllerState),
      vehicle: Compile(VehicleState),
    };
    for (const { name, message } of ofKind("state")) {
      const shape = shapes[message.kind];
      expect(shape.Check(message.state), name).toBe(true);
    }
    expect(getProtocolExample(examples, "state", "state.last-will").message.online).toBe(false);
    expect(getProtocolExample(examples, "state", "state.lock").message.online).toBe(true);
  });

  it("name their trusted key and rotate to the published next key", () => {
    for (const { message } of ofKind("state")) expect(message.trustedKid).toBe(EXAMPLE_IDENTITIES.serverKid);
    const rotate = getProtocolExample(examples, "command", "command.rotate_key").message;
    expect(rotate.kid).toBe(keys.server.kid);
    expect(rotate.params).toEqual({ newKid: keys.nextServer.kid, newPublicKey: keys.nextServer.publicKey });
  });
});

describe("generated JSON Schemas", () => {
  it.each(MESSAGE_KINDS)("%s.schema.json is a draft 2020-12 document with $id and title", (kind) => {
    const schema = readSchema(kind);
    expect(schema.$schema).toBe(JSON_SCHEMA_DIALECT);
    expect(schema.$id).toMatch(new RegExp(`^urn:threshold:protocol:v1:${kind}$`));
    expect(schema.title).toEqual(expect.any(String));
  });

  it.each(MESSAGE_KINDS)("%s.schema.json accepts every %s example and refuses broken ones", (kind) => {
    const validator = Compile(readSchema(kind));
    for (const example of ofKind(kind)) {
      expect(validator.Check(JSON.parse(example.payload)), example.name).toBe(true);
      const broken = { ...JSON.parse(example.payload), deviceId: "dev_NOT-AN-ID" };
      expect(validator.Check(broken), `${example.name} with a bad deviceId`).toBe(false);
      const extra = { ...JSON.parse(example.payload), admin: true };
      expect(validator.Check(extra), `${example.name} with an unknown member`).toBe(false);
    }
  });

  it("use only keywords that read the same in draft-07, so AsyncAPI tools can load them", () => {
    // AsyncAPI 3.0 payloads are draft-07 supersets; 2020-12-only keywords ($defs, prefixItems,
    // unevaluated*, dependentSchemas, $dynamicRef) would be silently ignored there.
    const allowed = new Set([
      "$schema",
      "$id",
      "title",
      "description",
      "type",
      "required",
      "properties",
      "patternProperties",
      "additionalProperties",
      "anyOf",
      "enum",
      "const",
      "pattern",
      "minLength",
      "maxLength",
      "minimum",
      "maximum",
      // Arrays (a guest key's weekdays): the same in draft-07 and 2020-12.
      "items",
      "minItems",
      "maxItems",
      "uniqueItems",
    ]);
    const used = new Set<string>();
    const walk = (node: unknown, underPropertyNames: boolean): void => {
      if (Array.isArray(node)) {
        for (const item of node) walk(item, false);
        return;
      }
      if (typeof node !== "object" || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (!underPropertyNames) used.add(key);
        // Members of `properties` and `patternProperties` are names, not keywords.
        walk(value, !underPropertyNames && (key === "properties" || key === "patternProperties"));
      }
    };
    for (const kind of MESSAGE_KINDS) walk(readSchema(kind), false);
    expect([...used].filter((keyword) => !allowed.has(keyword))).toEqual([]);
  });
});

describe("committed docs", () => {
  const generated = renderProtocolDocs(keys);

  it.each([...generated.keys()])("%s is what the generator makes now", (relative) => {
    const committed = readFileSync(path.join(PROTOCOL_DOCS_DIR, relative), "utf8");
    expect(committed === generated.get(relative), `${relative}: ${REGENERATE}`).toBe(true);
  });

  it("hold no schema or example the generator no longer makes", () => {
    for (const dir of GENERATED_JSON_DIRS) {
      const stale = readdirSync(path.join(PROTOCOL_DOCS_DIR, dir))
        .filter((name) => name.endsWith(".json"))
        .filter((name) => !generated.has(`${dir}/${name}`));
      expect(stale, REGENERATE).toEqual([]);
    }
  });
});

describe("command examples against CommandVerifier", () => {
  const trusted = () => new Map([[keys.server.kid, keys.server.pair.publicKey]]);

  it.each(ofKind("command").map((example) => [example.name, example] as const))(
    "%s is accepted at its issue time and refused once expired",
    (_, example) => {
      const { message, payload } = example;
      const clock = new ManualClock(message.issuedAt);
      expect(new CommandVerifier(message.deviceId, trusted, clock).verify(payload)).toEqual({
        ok: true,
        command: message,
      });

      const late = new ManualClock(message.issuedAt);
      const verifier = new CommandVerifier(message.deviceId, trusted, late);
      late.set(message.expiresAt + 1);
      expect(verifier.verify(payload)).toEqual({ ok: false, reason: "expired", commandId: message.id });
    },
  );

  it("refuses an example sent to another device, or signed by a key the device does not trust", () => {
    const { message, payload } = getProtocolExample(examples, "command", "command.unlock");
    const clock = new ManualClock(message.issuedAt);
    const camera = new CommandVerifier(EXAMPLE_IDENTITIES.cameraDeviceId, trusted, clock);
    expect(camera.verify(payload)).toMatchObject({ ok: false, reason: "wrong_device" });
    const rotated = new CommandVerifier(
      message.deviceId,
      () => new Map([[keys.nextServer.kid, keys.nextServer.pair.publicKey]]),
      clock,
    );
    expect(rotated.verify(payload)).toMatchObject({ ok: false, reason: "unknown_key" });
  });

  it("refuses the unlock example the second time, as ack.rejected-replayed reports", () => {
    const { message, payload } = getProtocolExample(examples, "command", "command.unlock");
    const ack = getProtocolExample(examples, "ack", "ack.rejected-replayed").message;
    const verifier = new CommandVerifier(message.deviceId, trusted, new ManualClock(message.issuedAt));
    expect(verifier.verify(payload).ok).toBe(true);
    expect(verifier.verify(payload)).toEqual({ ok: false, reason: ack.reason, commandId: ack.commandId });
  });
});
