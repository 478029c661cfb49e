import { randomBytes } from "node:crypto";

/** Type prefixes carried by every id, so an id says what it names (DESIGN.md section 4). */
export const ID_PREFIXES = {
  user: "usr",
  carrier: "car",
  apiKey: "key",
  site: "sit",
  accessPoint: "acp",
  device: "dev",
  pairing: "pai",
  command: "cmd",
  event: "evt",
  shipment: "shp",
  visit: "vis",
  request: "req",
  incident: "inc",
  webhookEndpoint: "whe",
  webhookMessage: "msg",
  videoSegment: "seg",
  accessCode: "acc",
  guestKey: "gky",
  lockerBank: "lkb",
  compartment: "cpt",
  lockerParcel: "lkp",
  /** A recipient's car (docs/in-car-delivery.md); `car_` names carriers. */
  car: "veh",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

// Crockford base32 without I, L, O, U: ids stay unambiguous when read aloud or typed.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * A sortable, unguessable id: 48 bits of milliseconds then 80 random bits, base32.
 * Sortable keeps inserts local in B-tree indexes; unguessable keeps ids from being enumerated.
 */
export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  let time = "";
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = "";
  for (let i = 0; i < 16; i++) rand += ALPHABET[(bytes[i] as number) & 31];
  return `${ID_PREFIXES[kind]}_${time}${rand}`;
}

/** The 26 characters after an id's prefix, as a regular-expression fragment (for schemas and routes). */
export const ID_BODY_PATTERN = "[0-9a-hjkmnp-tv-z]{26}";

const ID_PATTERN = new RegExp(`^[a-z]{3}_${ID_BODY_PATTERN}$`);

/** True when `value` is a well-formed id of `kind`; use before touching storage with untrusted input. */
export function isId(kind: IdKind, value: unknown): value is string {
  return typeof value === "string" && value.startsWith(`${ID_PREFIXES[kind]}_`) && ID_PATTERN.test(value);
}

/** A random secret, base64url, for tokens, API keys and device passwords (never derived from serials or MACs). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}
