import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { ThresholdError } from "@threshold/core";
import { classifyAddress } from "./address-class.js";

export { classifyAddress } from "./address-class.js";

/**
 * Where webhooks may go. Carriers name the URL, so it must not become a way to reach Threshold's
 * own network: https only, no credentials, and never a loopback or private address — checked
 * when the endpoint is registered and again, on the resolved addresses, before every attempt
 * (DNS can change in between). WEBHOOK_ALLOW_HTTP_LOOPBACK opens http:// and loopback, for tests
 * and local demos only.
 */
export interface UrlPolicy {
  allowHttpLoopback: boolean;
}

export const MAX_URL_LENGTH = 2048;

function isLoopbackName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/** The host of a URL without the brackets around an IPv6 address. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

function addressAllowed(address: string, policy: UrlPolicy): boolean {
  const kind = classifyAddress(address);
  return kind === "public" || (kind === "loopback" && policy.allowHttpLoopback);
}

function refuse(message: string): never {
  throw new ThresholdError("webhook_url_refused", `The webhook URL ${message}.`);
}

/** Checks a URL a carrier registers; returns it normalized, or throws webhook_url_refused. */
export function checkEndpointUrl(raw: string, policy: UrlPolicy): URL {
  if (raw.length > MAX_URL_LENGTH) refuse(`is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    refuse("is not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") refuse("must start with https://");
  if (url.username !== "" || url.password !== "") refuse("must not contain a user name or password");
  if (url.hash !== "") refuse("must not have a #fragment (it is never sent)");
  const host = hostOf(url);
  if (host === "") refuse("has no host");
  const literal = isIP(host) !== 0;
  const loopbackHost = isLoopbackName(host) || (literal && classifyAddress(host) === "loopback");
  if (url.protocol === "http:" && !(policy.allowHttpLoopback && loopbackHost)) refuse("must start with https://");
  if (literal ? !addressAllowed(host, policy) : isLoopbackName(host) && !policy.allowHttpLoopback) {
    refuse("points to a loopback or private address");
  }
  return url;
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/** Why an attempt was not sent; recorded as the attempt's error. */
export class DeliveryRefused extends Error {}

/** Where one attempt connects: the URL, and the vetted address it must connect to (no second lookup). */
export interface DeliveryTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * Re-checks an endpoint's URL under the current policy and resolves its host; every address it
 * resolves to must be allowed, and the attempt connects to one of those very addresses.
 */
export async function resolveDeliveryTarget(
  raw: string,
  policy: UrlPolicy,
  resolve: Resolver = systemResolver,
): Promise<DeliveryTarget> {
  let url: URL;
  try {
    url = checkEndpointUrl(raw, policy);
  } catch (error) {
    throw new DeliveryRefused(error instanceof Error ? error.message : String(error));
  }
  const host = hostOf(url);
  let addresses: { address: string; family: number }[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "lookup failed";
      throw new DeliveryRefused(`cannot resolve ${host} (${code})`);
    }
  }
  const first = addresses[0];
  if (!first) throw new DeliveryRefused(`${host} resolves to no address`);
  const refused = addresses.find(
    (a) =>
      !addressAllowed(a.address, policy) || (url.protocol === "http:" && classifyAddress(a.address) !== "loopback"),
  );
  if (refused) throw new DeliveryRefused(`${host} resolves to ${refused.address}, a loopback or private address`);
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
