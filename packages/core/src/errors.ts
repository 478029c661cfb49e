/**
 * Stable, machine-readable error codes. Clients branch on these, so a code never changes meaning
 * once it has shipped; add new ones instead (DESIGN.md habit 4).
 */
export const ERROR_CODES = {
  invalid_json: 400,
  invalid_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  session_expired: 401,
  api_key_revoked: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  door_open: 409,
  idempotency_key_reused: 422,
  pairing_code_invalid: 404,
  pairing_pending: 409,
  device_kind_mismatch: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  webhook_url_refused: 400,
  tracking_number_exists: 409,
  invalid_window: 400,
  no_consent: 422,
  courier_not_found: 404,
  method_not_suited: 422,
  device_mismatch: 403,
  segment_too_large: 413,
  segment_not_media: 422,
  segment_hash_mismatch: 422,
  segment_signature_invalid: 422,
  segment_chain_invalid: 422,
  segment_clock_skew: 422,
  segment_visit_invalid: 422,
  segment_gap: 409,
  segment_replayed: 409,
  clip_empty: 409,
  clip_unplayable: 422,
  // Access points beyond the front door (docs/garage-and-fridge.md).
  not_perishable: 422,
  visit_not_open: 409,
  no_next_access_point: 409,
  fridge_open: 409,
  // Codes (issue 6)
  keypad_unavailable: 422,
  lock_online: 409,
  access_code_unusable: 409,
  window_closed: 409,
  offline_codes_exhausted: 409,
  // Guest keys (docs/guest-keys.md): a share link of a key that was revoked, used up or has expired,
  // or is paused by the block switch; a key given while access is blocked.
  guest_key_ended: 410,
  guest_key_paused: 409,
  access_blocked: 409,
  // Parcel lockers (issue 7, docs/lockers.md)
  not_a_resident: 422,
  locker_full: 409,
  parcel_not_in_locker: 409,
  compartment_unavailable: 409,
  kiosk_locked_out: 429,
  wrong_pickup_code: 404,
  outside_geofence: 403,
  already_extended: 409,
  controller_offline: 503,
  // Lockers: issue 24 (docs/lockers.md)
  shares_compartment: 409,
  already_collected: 409,
  // In-car delivery (docs/in-car-delivery.md)
  parcel_unmeasured: 422,
  parcel_too_large: 422,
  parcel_too_heavy: 422,
  parcel_too_valuable: 422,
  car_not_paired: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error meant for the caller: a stable code, a sentence that says what to do next, optional details. */
export class ThresholdError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ThresholdError";
    this.status = ERROR_CODES[code];
  }
}

/** The same answer for "does not exist" and "not yours", so ids leak nothing (DESIGN.md rule 5). */
export function notFound(what: string): ThresholdError {
  return new ThresholdError("not_found", `No ${what} with that id is visible to you.`);
}
