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
    sent_at: number | null;
    completed_at: number | null;
    reason: string | null;
    ack: string | null;
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
}
