import { BlockList, isIP } from "node:net";

/** Where an address leads, for the webhook URL policy: only "public" is the internet. */
export type AddressClass = "public" | "loopback" | "private";

const loopbackV4 = new BlockList();
loopbackV4.addSubnet("127.0.0.0", 8, "ipv4");

// Everything that is not a public unicast address on the internet (IANA special-purpose registries).
const nonPublicV4 = new BlockList();
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
  nonPublicV4.addSubnet(network, prefix, "ipv4");
}

// IPv6 ranges refused whole, whatever they carry. The ranges that embed an IPv4 address the host
// can reach directly (mapped, compatible, SIIT, NAT64) are judged by that address instead, below.
const nonPublicV6 = new BlockList();
for (const [network, prefix] of [
  ["64:ff9b:1::", 48], // local-use NAT64: translates into the operator's own network
  ["100::", 64], // discard
  ["2001::", 23], // IETF protocol assignments: Teredo (2001::/32, an obfuscated IPv4 client), ORCHID, …
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4: wraps any IPv4 address, and its relays are deprecated (RFC 7526)
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // old site-local
  ["ff00::", 8], // multicast
] as const) {
  nonPublicV6.addSubnet(network, prefix, "ipv6");
}

/** An IPv6 address as its eight 16-bit groups (a trailing dotted IPv4 part becomes the last two). */
function ipv6Groups(address: string): number[] | null {
  let text = address.split("%")[0] ?? "";
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
  const head = parse(halves[0] ?? "");
  const tail = parse(halves[1] ?? "");
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one in their
 * last 32 bits; `deprecated` for the IPv4-compatible form (::/96), which no public host uses.
 */
function embeddedIpv4(groups: number[]): { address: string; deprecated: boolean } | null {
  const zero = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const [g0, g1, , , g4, g5, g6 = 0, g7 = 0] = groups;
  const address = [g6 >> 8, g6 & 255, g7 >> 8, g7 & 255].join(".");
  if (zero(0, 5) && g5 === 0xffff) return { address, deprecated: false }; // IPv4-mapped ::ffff:0:0/96
  if (zero(0, 4) && g4 === 0xffff && g5 === 0) return { address, deprecated: false }; // SIIT ::ffff:0:0:0/96
  if (g0 === 0x64 && g1 === 0xff9b && zero(2, 6)) return { address, deprecated: false }; // NAT64 64:ff9b::/96
  if (zero(0, 6)) return { address, deprecated: true }; // IPv4-compatible ::/96
  return null;
}

function classifyIpv4(address: string): AddressClass {
  if (loopbackV4.check(address, "ipv4")) return "loopback";
  return nonPublicV4.check(address, "ipv4") ? "private" : "public";
}

/**
 * Classifies an IP address. Every IPv6 form that carries an IPv4 address is judged by the IPv4
 * address inside, so `[::127.0.0.1]` or `[::ffff:a9fe:a9fe]` cannot smuggle in what the IPv4 rules
 * refuse; anything that does not parse is private.
 */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 4) return classifyIpv4(address);
  if (family !== 6) return "private";
  const groups = ipv6Groups(address);
  if (!groups) return "private";
  const allZeroUpTo7 = groups.slice(0, 7).every((g) => g === 0);
  if (allZeroUpTo7 && groups[7] === 1) return "loopback"; // ::1
  if (allZeroUpTo7 && groups[7] === 0) return "private"; // :: (unspecified)
  if (nonPublicV6.check(address.split("%")[0] ?? "", "ipv6")) return "private";
  const embedded = embeddedIpv4(groups);
  if (!embedded) return "public";
  const inner = classifyIpv4(embedded.address);
  return embedded.deprecated && inner === "public" ? "private" : inner;
}
