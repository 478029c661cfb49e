/**
 * Table types. Times are milliseconds since the epoch (bigint in PostgreSQL, integer in SQLite);
 * booleans are 0/1 and structured values are JSON text, so one set of queries serves both databases.
 */
export interface Database {
  carriers: { id: string; name: string; created_at: number };
  users: {
    id: string;
    email: string;
    name: string;
    role: string;
    password_hash: string;
    carrier_id: string | null;
    created_at: number;
    disabled_at: number | null;
  };
  sessions: {
    token_hash: string;
    user_id: string;
    created_at: number;
    expires_at: number;
    ip: string;
    user_agent: string | null;
  };
  api_keys: {
    id: string;
    carrier_id: string;
    name: string;
    scopes: string;
    secret_hash: string;
    created_by: string;
    created_at: number;
    last_used_at: number | null;
    revoked_at: number | null;
  };
  login_failures: { subject: string; at: number };
  sites: {
    id: string;
    owner_id: string;
    name: string;
    address_line1: string;
    address_line2: string | null;
    city: string;
    postal_code: string;
    country: string;
    lat: number;
    lng: number;
    geofence_radius_m: number;
    created_at: number;
    access_blocked_at: number | null;
  };
  devices: {
    id: string;
    site_id: string;
    owner_id: string;
    kind: string;
    name: string;
    model: string;
    firmware: string;
    public_key: string;
    secret_hash: string;
    trusted_kid: string;
    reported_state: string | null;
    online: number;
    last_seen_at: number | null;
    paired_at: number;
    removed_at: number | null;
    /** The pairing secret for offline codes and sealed PINs, sealed by the server's secret box; null before issue 6. Optional in the type so code that predates it need not name it. */
    offline_secret?: string | null;
    /** The device's `at` of the newest state report the gateway accepted; null before the first (issue 15). Optional in the type so code that predates it need not name it. */
    state_at?: number | null;
    /** An offline report (last will, goodbye) must be newer than this: the newest `at` of a connection that is over. */
    offline_after?: number | null;
    /** MQTT client-id takeovers of this device's session seen by the embedded broker (issue 15). */
    takeover_count?: number;
    last_takeover_at?: number | null;
  };
  pairing_requests: {
    id: string;
    code_hash: string;
    poll_token_hash: string;
    kind: string;
    public_key: string;
    model: string;
    firmware: string;
    status: string;
    device_id: string | null;
    credentials: string | null;
    created_at: number;
    expires_at: number;
  };
  access_points: {
    id: string;
    site_id: string;
    kind: string;
    name: string;
    actuator_device_id: string;
    created_at: number;
    /** Set when the owner removes it; the row stays because visits and proofs name it. */
    removed_at: number | null;
    /** The access point a courier passes first to reach this one (a fridge's front door); null for none. */
    via_access_point_id?: string | null;
  };
  access_point_cameras: { access_point_id: string; device_id: string };
  server_keys: { kid: string; public_key: string; created_at: number; retired_at: number | null };
  commands: {
    id: string;
    device_id: string;
    action: string;
    params: string;
    kid: string;
    issued_at: number;
    expires_at: number;
    status: string;
    completed_at: number | null;
    reason: string | null;
    ack: string | null;
    signature: string | null;
    site_id: string | null;
  };
  device_events: {
    device_id: string;
    id: string;
    seq: number;
    type: string;
    at: number;
    data: string;
    message: string;
    received_at: number;
  };
  shipments: {
    id: string;
    tracking_number: string;
    carrier_id: string;
    recipient_id: string;
    site_id: string;
    method: string;
    window_start: number;
    window_end: number;
    length_cm: number | null;
    width_cm: number | null;
    height_cm: number | null;
    weight_g: number | null;
    perishable: number;
    signature_required: number;
    value_cents: number | null;
    status: string;
    courier_id: string | null;
    delivered_at: number | null;
    delivered_visit_id: string | null;
    created_at: number;
    updated_at: number;
    /** Locker shipments: ambient, chilled or frozen (docs/lockers.md); null otherwise. */
    locker_temperature?: string | null;
    /** `delivery`, or `return`: a parcel the recipient left in the trunk for the courier to collect (docs/in-car-delivery.md). Its visit's end sets status `collected`; delivered_at and delivered_visit_id then say when and by which visit. */
    direction?: string;
  };
  consents: {
    access_point_id: string;
    site_id: string;
    methods: string;
    days: string;
    from_minute: number;
    to_minute: number;
    timezone: string;
    notes: string;
    updated_at: number;
    /** 1 when the recipient allows offline codes as a fallback even while the lock is online (docs/offline-codes.md). */
    offline_codes?: number;
  };
  visits: {
    id: string;
    shipment_id: string;
    site_id: string;
    access_point_id: string | null;
    courier_id: string;
    carrier_id: string;
    status: string;
    refusals: string | null;
    reason: string | null;
    courier_lat: number | null;
    courier_lng: number | null;
    requested_at: number;
    authorized_at: number | null;
    opened_at: number | null;
    securing_at: number | null;
    secured_at: number | null;
    ended_at: number | null;
    deadline_at: number | null;
    camera_device_id: string | null;
    lock_device_id: string | null;
    updated_at: number;
    /** Start of the visit's clip (authorization minus the pre-roll); null for a refused visit. */
    clip_from: number | null;
    /** End of the clip (the visit's end plus the post-roll); null while the visit goes on. */
    clip_until: number | null;
    /**
     * A chained visit's second access point (a fridge behind the front door, which is
     * access_point_id) and its lock; null for a visit to one access point. `lock_device_id` holds
     * the first access point's actuator, whatever its kind (a lock, or a garage opener).
     */
    inner_access_point_id?: string | null;
    inner_device_id?: string | null;
    inner_opened_at?: number | null;
    inner_secured_at?: number | null;
    /** The one-time keypad code this visit opens with, if any (docs/access-codes.md). */
    access_code_id?: string | null;
    /** Set when the visit was recorded after the fact from an offline code's use. */
    reconciled_at?: number | null;
    /** A trunk visit: where the car was when the visit was authorized (docs/in-car-delivery.md). */
    car_lat?: number | null;
    car_lng?: number | null;
  };
  cars: {
    id: string;
    owner_id: string;
    site_id: string;
    make: string;
    model: string;
    colour: string;
    plate: string;
    photo: string | null;
    device_id: string | null;
    access_point_id: string | null;
    trunk_delivery: number;
    /** `delivery_window` or `near_address` (docs/in-car-delivery.md). */
    position_sharing: string;
    require_camera: number;
    /** `backup_address`, `locker` or `return`. */
    fallback: string;
    fallback_note: string;
    trunk_length_cm: number;
    trunk_width_cm: number;
    trunk_height_cm: number;
    max_weight_g: number;
    max_value_cents: number;
    blocked_at: number | null;
    created_at: number;
    updated_at: number;
    removed_at: number | null;
  };
  incidents: {
    id: string;
    visit_id: string;
    site_id: string;
    kind: string;
    status: string;
    detail: string;
    opened_at: number;
    resolved_at: number | null;
    resolved_by: string | null;
    resolution: string | null;
  };
  audit_events: {
    seq: number;
    id: string;
    at: number;
    type: string;
    subject_type: string;
    subject_id: string;
    site_id: string | null;
    actor_type: string;
    actor_id: string | null;
    data: string;
    prev_hash: string;
    hash: string;
  };
  audit_head: { id: number; seq: number; hash: string };
  idempotency_keys: {
    scope: string;
    key: string;
    request_hash: string;
    status: number | null;
    response: string | null;
    created_at: number;
  };
  webhook_endpoints: {
    id: string;
    carrier_id: string;
    url: string;
    secret: string;
    event_types: string;
    created_at: number;
    disabled_at: number | null;
    /** The endpoint receives audit events with a greater seq (those appended after it was registered). */
    after_seq: number;
  };
  webhook_deliveries: {
    id: string;
    endpoint_id: string;
    event_type: string;
    payload: string;
    status: string;
    attempts: number;
    next_attempt_at: number;
    locked_until: number | null;
    last_status_code: number | null;
    last_error: string | null;
    created_at: number;
    delivered_at: number | null;
    /** The audit event this delivery announces; unique per endpoint. */
    audit_event_id: string | null;
    audit_seq: number | null;
  };
  webhook_attempts: {
    delivery_id: string;
    attempt: number;
    at: number;
    status_code: number | null;
    error: string | null;
    duration_ms: number;
  };
  /** Where each background worker that tails a log has got to, e.g. the webhook fan-out's audit seq. */
  worker_cursors: { name: string; position: number; updated_at: number };
  /**
   * A camera's uploaded video segments (docs/video.md). `position` counts a camera's segments across
   * all its streams (unique per camera, so of two racing uploads of the same link one loses);
   * `stream_number` counts its streams; `sequence` is the place within the stream.
   */
  video_segments: {
    id: string;
    device_id: string;
    position: number;
    stream_number: number;
    sequence: number;
    started_at: number;
    duration_ms: number;
    content_sha256: string;
    prev_hash: string;
    chain_hash: string;
    visit_id: string | null;
    media_key: string;
    size_bytes: number;
    received_at: number;
  };
  /** One-time and offline keypad codes (docs/access-codes.md, docs/offline-codes.md). */
  access_codes: {
    id: string;
    kind: string;
    shipment_id: string;
    carrier_id: string;
    site_id: string;
    access_point_id: string;
    device_id: string;
    status: string;
    pin_sealed: string | null;
    valid_from: number;
    valid_until: number;
    slot: number | null;
    counter: number | null;
    command_id: string | null;
    failure_reason: string | null;
    visit_id: string | null;
    used_at: number | null;
    removed_from_lock_at: number | null;
    claimed_until: number | null;
    created_at: number;
    updated_at: number;
  };
  /** PINs a recipient gives to people (docs/guest-keys.md); the PIN and the share link sealed by the secret box. */
  guest_keys: {
    id: string;
    site_id: string;
    access_point_id: string;
    device_id: string;
    owner_id: string;
    name: string;
    kind: string;
    status: string;
    pin_sealed: string;
    share_sealed: string;
    share_digest: string;
    valid_from: number;
    valid_until: number;
    /** recurring: ISO weekdays, comma-separated ("1,2,3,4,5"). */
    week_days: string | null;
    start_minute: number | null;
    end_minute: number | null;
    /** recurring: the IANA zone of its hours, fixed when the key was made (the lock holds it too). */
    time_zone: string | null;
    expires_after_use_s: number | null;
    use_count: number;
    first_used_at: number | null;
    last_used_at: number | null;
    last_use_event_id: string | null;
    command_id: string | null;
    failure_reason: string | null;
    revoked_at: number | null;
    removed_from_lock_at: number | null;
    claimed_until: number | null;
    /** Since when the site's block switch has paused the key; null when it is not paused. */
    paused_at: number | null;
    /** What the lock still has to be told about the pause (`remove`, `restore`); null once it confirmed. */
    lock_change: "remove" | "restore" | null;
    created_at: number;
    updated_at: number;
  };
  /** Which segments make up which visit's clip; a segment may be in two clips that overlap. */
  visit_clip_segments: {
    visit_id: string;
    segment_id: string;
  };
  /** Parcel lockers (docs/lockers.md): a bank of compartments at a building, driven by one controller. */
  locker_banks: {
    id: string;
    site_id: string;
    name: string;
    controller_device_id: string;
    pickup_period_s: number;
    overflow_distance_m: number;
    package_room: string | null;
    wrong_code_limit: number;
    lockout_s: number;
    offline_since: number | null;
    created_at: number;
  };
  compartments: {
    id: string;
    bank_id: string;
    number: number;
    width_cm: number;
    height_cm: number;
    depth_cm: number;
    size_class: string;
    temperature: string;
    accessible: number;
    state: string;
    resident_id: string | null;
    version: number;
    deposits: number;
    out_of_service_reason: string | null;
    updated_at: number;
  };
  /** Who lives in a building (a site with locker banks), so carriers can address locker shipments to them. */
  building_residents: { site_id: string; user_id: string; unit: string; accessible: number; created_at: number };
  /** A parcel's stay in a locker: a delivery (shipment) or a resident's return. */
  locker_parcels: {
    id: string;
    kind: string;
    shipment_id: string | null;
    label: string;
    bank_id: string;
    compartment_id: string;
    resident_id: string;
    carrier_id: string;
    courier_id: string | null;
    status: string;
    length_cm: number;
    width_cm: number;
    height_cm: number;
    temperature: string;
    overflow: number;
    drop_code_hash: string | null;
    deposits: number | null;
    deposited_at: number | null;
    expires_at: number | null;
    extended: number;
    reminded_at: number | null;
    picked_up_at: number | null;
    collected_at: number | null;
    created_at: number;
    updated_at: number;
  };
  locker_parcel_shares: { parcel_id: string; user_id: string; created_at: number };
  locker_code_failures: { bank_id: string; at: number };
}
