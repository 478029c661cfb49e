import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { canonicalJson } from "@threshold/core";

/**
 * Ed25519 over canonical JSON. Key objects are created once and reused: parsing a key costs
 * more than the signature itself (DESIGN.md section 10).
 */
export interface Ed25519KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateEd25519(): Ed25519KeyPair {
  return generateKeyPairSync("ed25519");
}

/** Raw 32-byte public key as base64url: the form carried in messages and stored per device. */
export function exportPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  if (jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new TypeError("not an Ed25519 public key");
  return jwk.x;
}

export function importPublicKey(raw: string): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(raw)) throw new TypeError("an Ed25519 public key is 43 base64url characters");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw }, format: "jwk" });
}

export function exportPrivateKeyPem(key: KeyObject): string {
  return key.export({ format: "pem", type: "pkcs8" }).toString();
}

export function importPrivateKeyPem(pem: string): Ed25519KeyPair {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== "ed25519") throw new TypeError("the signing key must be Ed25519");
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** Signs every member of `message` and returns it with `sig` added. */
export function signMessage<T extends object>(message: T, privateKey: KeyObject): T & { sig: string } {
  const sig = sign(null, Buffer.from(canonicalJson(message)), privateKey).toString("base64url");
  return { ...message, sig };
}

/**
 * verifyMessage on libuv's thread pool: a server checking thousands of device messages keeps its
 * event loop for requests (an Ed25519 verify costs ~60–80 µs of CPU).
 */
export function verifyMessageAsync(message: { sig: string }, publicKey: KeyObject): Promise<boolean> {
  const { sig, ...rest } = message;
  const signature = Buffer.from(sig, "base64url");
  if (signature.length !== 64) return Promise.resolve(false);
  return new Promise((resolve) => {
    verify(null, Buffer.from(canonicalJson(rest)), publicKey, signature, (err, ok) => resolve(!err && ok));
  });
}

/** True when `sig` is a valid signature by `publicKey` over all other members of the message. */
export function verifyMessage(message: { sig: string }, publicKey: KeyObject): boolean {
  const { sig, ...rest } = message;
  const signature = Buffer.from(sig, "base64url");
  if (signature.length !== 64) return false;
  return verify(null, Buffer.from(canonicalJson(rest)), publicKey, signature);
}
