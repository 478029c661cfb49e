import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { ThresholdError } from "@threshold/core";

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

type AddressClass = "public" | "loopback" | "private";

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

// Everything that is not a public unicast address on the internet (IANA special-purpose registries).
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this" network
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["169.254.0.0", 16], // link-local, cloud metadata services
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  nonPublic.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard
  ["2001::", 23], // IETF protocol assignments (Teredo, ORCHID, …)
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4, which can embed any IPv4 address
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // old site-local
  ["ff00::", 8], // multicast
] as const) {
  nonPublic.addSubnet(network, prefix, "ipv6");
}
const nat64 = new BlockList();
nat64.addSubnet("64:ff9b::", 96, "ipv6");

/** Classifies an IP address; IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4 address inside. */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 0) return "private";
  const type = family === 4 ? "ipv4" : "ipv6";
  if (loopback.check(address, type)) return "loopback";
  if (nonPublic.check(address, type)) return "private";
  if (family === 6 && nat64.check(address, "ipv6")) {
    const embedded = embeddedIpv4(address);
    return embedded === null ? "private" : classifyAddress(embedded);
  }
  return "public";
}

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function embeddedIpv4(address: string): string | null {
  const dotted = address.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted?.[1]) return dotted[1];
  const groups = address.split(":");
  const low = Number.parseInt(groups.at(-1) || "0", 16);
  const high = Number.parseInt(groups.at(-2) || "0", 16);
  if (Number.isNaN(low) || Number.isNaN(high)) return null;
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

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
