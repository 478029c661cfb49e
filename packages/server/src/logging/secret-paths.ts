/**
 * URL paths whose next segment is a secret: a guest key's share token, in the web app's page
 * (`/k/<token>`) and in the API call that page makes (`/v1/shared-keys/<token>`). Whoever reads
 * such a URL holds the key, so it is never cached, never sent as a referrer, and never logged.
 */
export const SECRET_PATH_PREFIXES = ["/k/", "/v1/shared-keys/"] as const;

export const REDACTED = "[redacted]";

/** The URL with any secret path segment and every query value replaced by `[redacted]`: safe to log. */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf("?");
  let path = queryAt < 0 ? url : url.slice(0, queryAt);
  for (const prefix of SECRET_PATH_PREFIXES) {
    if (path.startsWith(prefix)) {
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf("/");
      path = `${prefix}${REDACTED}${slash < 0 ? "" : rest.slice(slash)}`;
    }
  }
  if (queryAt < 0) return path;
  // Query values are filters today (ids, statuses), but a value is where a secret would hide.
  const names = url
    .slice(queryAt + 1)
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => `${pair.split("=")[0]}=${REDACTED}`);
  return `${path}?${names.join("&")}`;
}
