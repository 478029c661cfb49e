import { describe, expect, it } from "vitest";
import { checkEndpointUrl, classifyAddress, type Resolver, resolveDeliveryTarget } from "./url-policy.js";

const strict = { allowHttpLoopback: false };
const local = { allowHttpLoopback: true };

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return "accepted";
};

describe("webhook URL policy", () => {
  it("classifies addresses, judging IPv4 inside IPv6 by the IPv4 address", () => {
    for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) {
      expect(classifyAddress(address), address).toBe("loopback");
    }
    for (const address of [
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::",
      "fd00::1",
      "fe80::1",
      "ff02::1",
      "::ffff:10.0.0.1",
      "::ffff:a9fe:a9fe",
      "64:ff9b::a00:1",
      "64:ff9b::10.0.0.1",
      "2002:a00:1::1",
      "not an address",
    ]) {
      expect(classifyAddress(address), address).toBe("private");
    }
    for (const address of ["93.184.216.34", "172.32.0.1", "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808"]) {
      expect(classifyAddress(address), address).toBe("public");
    }
  });

  // Every way IPv6 can carry an IPv4 address: each must be judged by (at least) the address inside.
  const IPV4_IN_IPV6: { form: string; loopback: string[]; private: string[]; public: string[] }[] = [
    {
      form: "IPv4-mapped ::ffff:0:0/96",
      loopback: ["::ffff:127.0.0.1", "::ffff:7f00:1", "0:0:0:0:0:ffff:7f00:1", "::FFFF:127.0.0.2"],
      private: ["::ffff:10.0.0.1", "::ffff:a9fe:a9fe", "::ffff:192.168.1.1", "::ffff:0.0.0.0", "::ffff:100.64.0.1"],
      public: ["::ffff:8.8.8.8", "::ffff:808:808"],
    },
    {
      // Deprecated (RFC 4291) and never a public host: refused whatever the IPv4 address.
      form: "IPv4-compatible ::/96",
      loopback: ["::127.0.0.1", "::7f00:1", "0:0:0:0:0:0:127.0.0.1"],
      private: ["::10.0.0.1", "::a00:1", "::169.254.169.254", "::192.168.0.1", "::8.8.8.8", "::808:808", "::0.0.0.2"],
      public: [],
    },
    {
      form: "IPv4-translated (SIIT) ::ffff:0:0:0/96",
      loopback: ["::ffff:0:127.0.0.1", "::ffff:0:7f00:1"],
      private: ["::ffff:0:10.0.0.1", "::ffff:0:a9fe:a9fe"],
      public: ["::ffff:0:8.8.8.8"],
    },
    {
      form: "NAT64 64:ff9b::/96",
      loopback: ["64:ff9b::127.0.0.1", "64:ff9b::7f00:1"],
      private: ["64:ff9b::10.0.0.1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::c0a8:1"],
      public: ["64:ff9b::808:808", "64:ff9b::8.8.8.8"],
    },
    {
      // Local-use NAT64 translates into the operator's own network: never public.
      form: "local NAT64 64:ff9b:1::/48",
      loopback: [],
      private: ["64:ff9b:1::a00:1", "64:ff9b:1::808:808", "64:ff9b:1:ffff::7f00:1"],
      public: [],
    },
    {
      // 6to4 relays are deprecated (RFC 7526): refused whatever it wraps, private or not.
      form: "6to4 2002::/16",
      loopback: [],
      private: ["2002:7f00:1::1", "2002:a00:1::1", "2002:c0a8:101::", "2002:a9fe:a9fe::1", "2002:808:808::1"],
      public: [],
    },
    {
      // Teredo tunnels carry the client's IPv4 address obfuscated: refused as a whole.
      form: "Teredo 2001::/32",
      loopback: [],
      private: ["2001:0:4136:e378:8000:63bf:80ff:fffe", "2001::f5ff:fffe", "2001:0:7f00:1::"],
      public: [],
    },
  ];

  it.each(IPV4_IN_IPV6)("judges $form by the IPv4 address inside", ({ loopback, private: internal, public: open }) => {
    for (const address of loopback) expect(classifyAddress(address), address).toBe("loopback");
    for (const address of internal) expect(classifyAddress(address), address).toBe("private");
    for (const address of open) expect(classifyAddress(address), address).toBe("public");
    for (const address of [...loopback, ...internal]) {
      expect(
        refusal(() => checkEndpointUrl(`https://[${address}]/hook`, strict)),
        address,
      ).toBe("webhook_url_refused");
    }
  });

  it("refuses the plain IPv6 ranges that are not public unicast", () => {
    for (const address of [
      "::",
      "::1",
      "0:0:0:0:0:0:0:1",
      "fe80::1",
      "febf::1",
      "fc00::1",
      "fd12:3456::1",
      "fec0::1",
      "ff02::1",
      "ff0e::1",
      "100::1",
      "2001:db8::1",
      "2001:10::1",
    ]) {
      expect(classifyAddress(address), address).not.toBe("public");
      expect(
        refusal(() => checkEndpointUrl(`https://[${address}]/`, strict)),
        address,
      ).toBe("webhook_url_refused");
    }
  });

  it("accepts https URLs and refuses other schemes, credentials, fragments and private hosts", () => {
    expect(checkEndpointUrl("https://hooks.example.com/threshold?x=1", strict).toString()).toBe(
      "https://hooks.example.com/threshold?x=1",
    );
    expect(checkEndpointUrl("https://93.184.216.34:8443/in", strict).host).toBe("93.184.216.34:8443");
    for (const url of [
      "not a url",
      "/relative/path",
      "ftp://example.com/",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "http://example.com/hook",
      "https://user:secret@example.com/",
      "https://user@example.com/",
      "https://example.com/#frag",
      "https://10.0.0.1/",
      "https://169.254.169.254/latest/meta-data",
      "https://127.0.0.1/",
      "https://0x7f.1/",
      "https://2130706433/",
      "https://[::1]/",
      "https://[::ffff:127.0.0.1]/",
      "https://localhost/",
      "https://api.localhost/",
      "http://127.0.0.1:8080/",
      `https://example.com/${"a".repeat(2048)}`,
    ]) {
      expect(
        refusal(() => checkEndpointUrl(url, strict)),
        url,
      ).toBe("webhook_url_refused");
    }
  });

  it("with WEBHOOK_ALLOW_HTTP_LOOPBACK, accepts http to loopback only, and still refuses private addresses", () => {
    for (const url of ["http://127.0.0.1:8080/in", "http://localhost:3000/", "http://[::1]:9/", "https://127.0.0.1/"]) {
      expect(
        refusal(() => checkEndpointUrl(url, local)),
        url,
      ).toBe("accepted");
    }
    for (const url of ["http://example.com/", "http://10.0.0.1/", "https://192.168.0.10/", "http://u:p@127.0.0.1/"]) {
      expect(
        refusal(() => checkEndpointUrl(url, local)),
        url,
      ).toBe("webhook_url_refused");
    }
  });

  it("checks every address a host resolves to at delivery time, and pins the attempt to one of them", async () => {
    const resolver =
      (...addresses: string[]): Resolver =>
      async () =>
        addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    await expect(
      resolveDeliveryTarget("https://hooks.example.com/", strict, resolver("93.184.216.34")),
    ).resolves.toMatchObject({ address: "93.184.216.34", family: 4 });
    // A name that resolves (also) to an internal address, e.g. after DNS rebinding, is not sent to.
    for (const addresses of [
      ["10.0.0.5"],
      ["93.184.216.34", "127.0.0.1"],
      ["fd12::1"],
      ["::127.0.0.1"],
      ["::a00:5"],
      ["::ffff:0:a9fe:a9fe"],
      ["2606:4700:4700::1111", "::ffff:7f00:1"],
      ["64:ff9b::a00:5"],
      ["2002:a00:5::1"],
      [],
    ]) {
      await expect(
        resolveDeliveryTarget("https://hooks.example.com/", strict, resolver(...addresses)),
        addresses.join(),
      ).rejects.toThrow(/private address|no address/);
    }
    await expect(
      resolveDeliveryTarget("https://hooks.example.com/", strict, async () => {
        throw Object.assign(new Error("nope"), { code: "ENOTFOUND" });
      }),
    ).rejects.toThrow("cannot resolve hooks.example.com (ENOTFOUND)");
    // Loopback is allowed by the setting, but an http:// name must resolve to loopback only.
    await expect(
      resolveDeliveryTarget("http://localhost:9/", local, resolver("127.0.0.1", "::1")),
    ).resolves.toMatchObject({ address: "127.0.0.1" });
    await expect(resolveDeliveryTarget("http://localhost:9/", local, resolver("93.184.216.34"))).rejects.toThrow();
    // A URL registered while the setting was on is refused once it is off.
    await expect(resolveDeliveryTarget("http://127.0.0.1:9/", strict)).rejects.toThrow(/https/);
  });
});
