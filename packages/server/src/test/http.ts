/** Parsed JSON of a test response; deliberately loose, since tests assert on its shape. */
export type Json = ReturnType<typeof JSON.parse>;

export interface TestResponse {
  status: number;
  body: Json;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent verbatim, for malformed-input tests. */
  rawBody?: string;
  cookie?: string;
  bearer?: string;
  headers?: Record<string, string>;
}

/** A tiny HTTP client for integration tests: JSON in, JSON out, cookies and bearer tokens by hand. */
export function apiClient(baseUrl: string) {
  return async function request(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers["content-type"] ??= "application/json";
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    if (options.cookie) headers.cookie = options.cookie;
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: Json = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
}

export type ApiRequest = ReturnType<typeof apiClient>;
