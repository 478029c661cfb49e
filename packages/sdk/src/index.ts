import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths };
export type ThresholdClient = Client<paths>;

/** The error body every Threshold endpoint answers with. */
export interface ApiErrorBody {
  error: { code: string; message: string; requestId: string; details?: Record<string, unknown> };
}

/** Thrown by `unwrap` so callers see the server's stable code and sentence. */
export class ThresholdApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    /** What the server added to help the caller (e.g. locker_full's nearby banks with room). */
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = "ThresholdApiError";
  }
}

export interface ClientOptions {
  baseUrl: string;
  /** A carrier's API key, `thk_…`. */
  apiKey?: string;
  /** A session cookie header value, `th_session=…` (Node callers; browsers send their own cookie). */
  cookie?: string;
  fetch?: typeof globalThis.fetch;
}

/** A typed client of the Threshold API, generated from docs/openapi.json. */
export function createThresholdClient(options: ClientOptions): ThresholdClient {
  const headers: Record<string, string> = {};
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  if (options.cookie) headers.cookie = options.cookie;
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ""),
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** Returns `data`, or throws a ThresholdApiError carrying the server's error code. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  // A 204 carries no data; `T` is then the route's empty response type.
  if (result.response.ok) return result.data as T;
  const body = result.error as Partial<ApiErrorBody> | undefined;
  throw new ThresholdApiError(
    result.response.status,
    body?.error?.code ?? "http_error",
    body?.error?.message ?? `HTTP ${result.response.status}`,
    body?.error?.requestId ?? null,
    body?.error?.details ?? null,
  );
}

/**
 * Signs in with email and password and returns a client carrying the session cookie
 * (for Node callers such as the CLI; a browser keeps the HTTP-only cookie itself).
 */
export async function signIn(
  baseUrl: string,
  email: string,
  password: string,
  fetchImpl: typeof globalThis.fetch = globalThis.fetch,
): Promise<{ client: ThresholdClient; cookie: string }> {
  const anonymous = createThresholdClient({ baseUrl, fetch: fetchImpl });
  const result = await anonymous.POST("/v1/auth/login", { body: { email, password } });
  unwrap(result);
  const setCookie = result.response.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0] ?? "";
  if (!cookie.startsWith("th_session=")) throw new Error("the server did not return a session cookie");
  return { client: createThresholdClient({ baseUrl, cookie, fetch: fetchImpl }), cookie };
}
