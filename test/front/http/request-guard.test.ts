import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { corsHeaders, guardRequest, hostnameOf, isLoopbackAddress, originAllowed, tokenMatches, type GuardPolicy } from "../../../src/front/http/request-guard.js";

const loopback: GuardPolicy = { loopback: true, allowedOrigins: [], allowedHosts: [] };

describe("request guard", () => {
  it("reads host names out of Host values", () => {
    expect(hostnameOf("localhost:8000")).toBe("localhost");
    expect(hostnameOf("[::1]:8000")).toBe("[::1]");
    expect(hostnameOf("EXAMPLE.com")).toBe("example.com");
    expect(isLoopbackAddress("127.0.0.1")).toBe(true);
    expect(isLoopbackAddress("0.0.0.0")).toBe(false);
  });

  it("allows localhost origins and listed ones only", () => {
    expect(originAllowed("http://localhost:6274", [])).toBe(true);
    expect(originAllowed("https://127.0.0.1", [])).toBe(true);
    expect(originAllowed("http://[::1]:3000", [])).toBe(true);
    expect(originAllowed("https://evil.example.com", [])).toBe(false);
    expect(originAllowed("http://localhost.evil.com", [])).toBe(false);
    expect(originAllowed("null", [])).toBe(false);
    expect(originAllowed("https://app.example.com", ["https://app.example.com"])).toBe(true);
    expect(originAllowed("https://any.example", ["*"])).toBe(true);
  });

  it("refuses foreign Host on loopback (403), accepts loopback names with any port", () => {
    expect(guardRequest({ host: "evil.example.com" }, loopback)?.status).toBe(403);
    expect(guardRequest({}, loopback)?.status).toBe(403);
    expect(guardRequest({ host: "localhost:1234" }, loopback)).toBeUndefined();
    expect(guardRequest({ host: "127.0.0.1" }, loopback)).toBeUndefined();
    expect(guardRequest({ host: "[::1]:9" }, loopback)).toBeUndefined();
    expect(guardRequest({ host: "mcp.internal:8000" }, { ...loopback, allowedHosts: ["mcp.internal"] })).toBeUndefined();
    // Bound to all interfaces: Host is only checked against an explicit list.
    expect(guardRequest({ host: "anything.example" }, { ...loopback, loopback: false })).toBeUndefined();
    expect(guardRequest({ host: "anything.example" }, { ...loopback, loopback: false, allowedHosts: ["mcp.example"] })?.status).toBe(403);
  });

  it("refuses a foreign Origin (403) even with the right Host", () => {
    const refusal = guardRequest({ host: "localhost", origin: "https://evil.example.com" }, loopback);
    expect(refusal?.status).toBe(403);
    expect(refusal?.message).toMatch(/server\.allowedOrigins/);
  });

  it("asks for a bearer token (401) and tells missing from wrong", () => {
    const policy = { ...loopback, authToken: "s3cret" };
    const missing = guardRequest({ host: "localhost" }, policy);
    expect(missing?.status).toBe(401);
    expect(missing?.headers?.["WWW-Authenticate"]).toBe('Bearer realm="mcp-switchboard"');
    const wrong = guardRequest({ host: "localhost", authorization: "Bearer nope" }, policy);
    expect(wrong?.headers?.["WWW-Authenticate"]).toMatch(/invalid_token/);
    expect(guardRequest({ host: "localhost", authorization: "bearer s3cret" }, policy)).toBeUndefined();
    expect(tokenMatches("a", "a")).toBe(true);
    expect(tokenMatches("a", "ab")).toBe(false);
  });

  it("adds CORS headers only for requests with an Origin", () => {
    expect(corsHeaders(undefined)).toEqual({});
    expect(corsHeaders("http://localhost:6274")).toMatchObject({ "Access-Control-Allow-Origin": "http://localhost:6274", Vary: "Origin" });
    expect(corsHeaders("http://localhost:6274")["Access-Control-Expose-Headers"]).toMatch(/Mcp-Session-Id/);
  });
});

/**
 * The oracle for "exactly loopback", written independently of the guard: a
 * lowercase host that is `localhost`, a canonical dotted-decimal IPv4 address
 * whose first octet is 127, or `[::1]`, with an optional decimal port.
 */
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const LOOPBACK_HOST = `(?:localhost|127\\.${OCTET}\\.${OCTET}\\.${OCTET}|\\[::1\\])`;
const PORT = "(?::(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d\\d|6[0-4]\\d{3}|[1-5]\\d{4}|[1-9]\\d{0,3}|0))?";
const exactLoopbackHost = new RegExp(`^${LOOPBACK_HOST}${PORT}$`, "i");
const exactLoopbackOrigin = new RegExp(`^https?://${LOOPBACK_HOST}${PORT}$`, "i");

const octet = fc.integer({ min: 0, max: 255 });
/** A genuine loopback host name, as a browser or HTTP client would write it. */
const loopbackName = fc.oneof(
  fc.constant("localhost"),
  fc.constant("[::1]"),
  fc.tuple(octet, octet, octet).map(([b, c, d]) => `127.${b}.${c}.${d}`),
);
const port = fc.option(fc.integer({ min: 1, max: 65535 }).map((n) => `:${n}`), { nil: "" });
/** Text an attacker might wrap around a loopback name. */
const junk = fc.oneof(
  fc.constantFrom(".", ".evil.example", "evil.example", "@evil.example", ":80@evil.example", "/", "/x", "%2e", " ", "\t", "#", "?", ":", ":abc", "]", "[", ".xn--80ak6aa92e.com", "\u0131", "\uff0e", "..", "-", "_"),
  fc.domain().map((domain) => `.${domain}`),
  fc.domain(),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
);
const scheme = fc.constantFrom("http://", "https://", "HTTP://", "ws://", "file://", "ftp://", "http:", "http:/", "//", "");

describe("loopback is exact, not a prefix (property tests)", () => {
  it("an Origin is allowed by default only when it is exactly a loopback origin", () => {
    const origin = fc.oneof(
      fc.tuple(scheme, loopbackName, port, junk).map(([s, name, p, tail]) => `${s}${name}${p}${tail}`),
      fc.tuple(scheme, junk, loopbackName, port).map(([s, head, name, p]) => `${s}${head}${name}${p}`),
      fc.tuple(scheme, loopbackName, junk, port).map(([s, name, tail, p]) => `${s}${name}${tail}${p}`),
      fc.tuple(scheme, fc.domain(), port).map(([s, name, p]) => `${s}${name}${p}`),
      fc.tuple(scheme, fc.ipV4(), port).map(([s, name, p]) => `${s}${name}${p}`),
    );
    fc.assert(
      fc.property(origin, (value) => {
        expect(originAllowed(value, [])).toBe(exactLoopbackOrigin.test(value));
      }),
      { numRuns: 3000 },
    );
  });

  it("a genuine loopback origin is always allowed", () => {
    fc.assert(
      fc.property(fc.constantFrom("http://", "https://"), loopbackName, port, (s, name, p) => {
        expect(originAllowed(`${s}${name}${p}`, [])).toBe(true);
      }),
    );
  });

  it("a Host is allowed on loopback only when it is exactly a loopback host", () => {
    const host = fc.oneof(
      fc.tuple(loopbackName, port, junk).map(([name, p, tail]) => `${name}${p}${tail}`),
      fc.tuple(junk, loopbackName, port).map(([head, name, p]) => `${head}${name}${p}`),
      fc.tuple(loopbackName, junk, port).map(([name, tail, p]) => `${name}${tail}${p}`),
      fc.tuple(fc.domain(), port).map(([name, p]) => `${name}${p}`),
      fc.tuple(fc.ipV4(), port).map(([name, p]) => `${name}${p}`),
    );
    fc.assert(
      fc.property(host, (value) => {
        expect(guardRequest({ host: value }, loopback) === undefined).toBe(exactLoopbackHost.test(value));
      }),
      { numRuns: 3000 },
    );
  });

  it("listed hosts match by name or exact value, never by prefix", () => {
    const policy: GuardPolicy = { ...loopback, allowedHosts: ["mcp.internal"] };
    const listed = new RegExp(`^mcp\\.internal${PORT}$`, "i");
    fc.assert(
      fc.property(junk, port, (tail, p) => {
        const value = `mcp.internal${tail}${p}`;
        expect(guardRequest({ host: value }, policy) === undefined).toBe(listed.test(value));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("loopback edge cases (documented decisions)", () => {
  it("refuses look-alike origins that start with a loopback name", () => {
    for (const origin of [
      "http://127.0.0.1.evil.example",
      "http://127.0.0.1.evil.example:6274",
      "http://127.evil.example",
      "http://127.0.0.1@evil.example",
      "http://evil.example@127.0.0.1",
      "http://localhost.",
      "http://localhost.:6274",
      "http://127.0.0.1.",
      "http://127.0.0.1:6274/",
      "http://127.0.0.1:6274/path",
      "http://127.1",
      "http://0x7f.0.0.1",
      "http://0177.0.0.1",
      "http://127.0.0.256",
      "http://[::1].evil.example",
      "http://[::ffff:127.0.0.1]",
      "http://[::ffff:7f00:1]",
      "http://localhost:99999",
      "http://localhost:",
      "ws://localhost",
      "file://",
      "file:///etc/passwd",
      "null",
      " http://localhost",
      "http://localhost ",
      "http:/localhost",
      "http://xn--localhost-.example",
      "http://ⅼocalhost",
    ]) {
      expect({ origin, allowed: originAllowed(origin, []) }).toEqual({ origin, allowed: false });
    }
  });

  it("accepts loopback origins in any letter case and IPv6 ::1 in any spelling", () => {
    for (const origin of ["http://LOCALHOST:6274", "HTTPS://127.255.0.9", "http://[0:0:0:0:0:0:0:1]:3000", "http://[::0:1]"]) {
      expect({ origin, allowed: originAllowed(origin, []) }).toEqual({ origin, allowed: true });
    }
  });

  it("allows the null origin only when listed", () => {
    expect(originAllowed("null", [])).toBe(false);
    expect(originAllowed("null", ["null"])).toBe(true);
    expect(originAllowed("null", ["*"])).toBe(true);
  });

  it("refuses Host values with junk around a loopback name", () => {
    for (const host of [
      "127.0.0.1:80@evil.example",
      "127.0.0.1.evil.example",
      "localhost.",
      "localhost.:8000",
      "[::1]evil",
      "[::1]:80:80",
      "localhost:",
      "localhost:abc",
      "localhost:70000",
      "127.999.0.1",
      "127.0.0.1 evil",
      "127.0.0.1/x",
      "[::ffff:127.0.0.1]",
    ]) {
      expect({ host, status: guardRequest({ host }, loopback)?.status }).toEqual({ host, status: 403 });
    }
    for (const host of ["LOCALHOST:8000", "127.1.2.3:1", "[0:0:0:0:0:0:0:1]:9"]) {
      expect({ host, status: guardRequest({ host }, loopback)?.status }).toEqual({ host, status: undefined });
    }
  });

  it("parses Host values strictly: malformed ones have no host name", () => {
    expect(hostnameOf("127.0.0.1:80@evil.example")).toBeUndefined();
    expect(hostnameOf("[::1]evil")).toBeUndefined();
    expect(hostnameOf("a b")).toBeUndefined();
    expect(hostnameOf("[::1]")).toBe("[::1]");
    expect(hostnameOf("xn--bcher-kva.example:443")).toBe("xn--bcher-kva.example");
  });

  it("treats every spelling of a loopback listen address as loopback, and nothing else", () => {
    for (const address of ["127.0.0.1", "127.0.1.1", "localhost", "LOCALHOST", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "::ffff:7f00:1"]) {
      expect({ address, loopback: isLoopbackAddress(address) }).toEqual({ address, loopback: true });
    }
    for (const address of ["0.0.0.0", "::", "127.evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "127.0.0.256"]) {
      expect({ address, loopback: isLoopbackAddress(address) }).toEqual({ address, loopback: false });
    }
  });
});
