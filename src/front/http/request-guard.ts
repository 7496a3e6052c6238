import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** What the guard needs to know about the front. */
export interface GuardPolicy {
  /** True when bound to a loopback address: every Host must then be loopback or listed (DNS rebinding). */
  loopback: boolean;
  allowedOrigins: readonly string[];
  allowedHosts: readonly string[];
  authToken?: string;
}

/** A refusal: status, a JSON-RPC-style message, and extra headers. */
export interface Refusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/** A Host header value or origin authority, parsed: lowercase host name (IPv6 in brackets) and port. */
export interface Authority {
  hostname: string;
  port?: number;
}

// A host name: dot-separated labels of letters, digits, `-` and `_` (punycode
// included), an optional trailing dot; or an IPv6 literal in brackets. Raw
// Unicode, userinfo, paths and whitespace do not match. Linear: the label
// class excludes the dot.
const AUTHORITY = /^([a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])(?::(0|[1-9][0-9]{0,4}))?$/;
const IPV4 = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;
// The canonical (WHATWG URL) spelling of an IPv4-mapped address in 127.0.0.0/8.
const MAPPED_LOOPBACK = /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/;

/**
 * Parse a Host header value or the authority of an origin (`host[:port]`),
 * strictly: anything but a host name or bracketed IPv6 literal and an optional
 * decimal port (0-65535, no leading zeros) gives undefined.
 */
export function parseAuthority(value: string): Authority | undefined {
  const match = AUTHORITY.exec(value.toLowerCase());
  if (!match) return undefined;
  const hostname = match[1]!;
  if (hostname.startsWith("[") && canonicalIpv6(hostname) === undefined) return undefined;
  if (match[2] === undefined) return { hostname };
  const port = Number(match[2]);
  return port > 65535 ? undefined : { hostname, port };
}

/** The host name of a Host header value (`[::1]:8000` → `[::1]`), or undefined when the value is malformed. */
export function hostnameOf(authority: string): string | undefined {
  return parseAuthority(authority)?.hostname;
}

/** The WHATWG URL spelling of a bracketed IPv6 literal (`[0:0:0:0:0:0:0:1]` → `[::1]`), or undefined if it is not one. */
function canonicalIpv6(bracketed: string): string | undefined {
  if (bracketed === "[::1]") return bracketed;
  try {
    return new URL(`http://${bracketed}/`).hostname;
  } catch {
    return undefined;
  }
}

/** True for a canonical dotted-decimal IPv4 address (four octets 0-255, no leading zeros) in 127.0.0.0/8. */
function isLoopbackIpv4(name: string): boolean {
  const match = IPV4.exec(name);
  return match !== null && match[1] === "127" && Number(match[2]) <= 255 && Number(match[3]) <= 255 && Number(match[4]) <= 255;
}

/**
 * True when a parsed host name (lowercase, IPv6 in brackets) is exactly
 * loopback: `localhost`, an IPv4 address in 127.0.0.0/8 in dotted decimal,
 * or IPv6 `::1` in any spelling. Refused on purpose: `localhost.` (a name a
 * resolver may search), IPv4 in other notations (`127.1`, `0x7f.0.0.1`), and
 * IPv4-mapped IPv6 (`[::ffff:127.0.0.1]`); list them in
 * `server.allowedHosts` / `allowedOrigins` if you use them.
 */
export function isLoopbackHostname(hostname: string): boolean {
  if (hostname === "localhost") return true;
  if (hostname.startsWith("[")) return canonicalIpv6(hostname) === "[::1]";
  return isLoopbackIpv4(hostname);
}

/**
 * True when `address` (as passed to listen, or as the socket reports it) is a
 * loopback address, so Host is checked against DNS rebinding. Deliberately
 * wider than isLoopbackHostname: a wrong "no" would switch the Host check
 * off, so `localhost.` and IPv4-mapped 127.0.0.0/8 count too.
 */
export function isLoopbackAddress(address: string): boolean {
  const name = address.toLowerCase();
  if (name === "localhost" || name === "localhost.") return true;
  if (isLoopbackIpv4(name)) return true;
  if (!name.includes(":")) return false;
  const canonical = canonicalIpv6(name.startsWith("[") ? name : `[${name}]`);
  return canonical !== undefined && (canonical === "[::1]" || MAPPED_LOOPBACK.test(canonical));
}

/**
 * True when the Origin header value is allowed: listed exactly (`"*"` = any,
 * `"null"` must be listed to be allowed), or an `http(s)://host[:port]` origin
 * whose host is exactly loopback (isLoopbackHostname). Anything else (other
 * schemes, userinfo, paths, look-alikes such as `127.0.0.1.evil.example`) is refused.
 */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  const match = /^https?:\/\/(.*)$/i.exec(origin);
  if (!match) return false;
  const authority = parseAuthority(match[1]!);
  return authority !== undefined && isLoopbackHostname(authority.hostname);
}

/** True when a Host header value is allowed by the policy. */
function hostAllowed(host: string, policy: GuardPolicy): boolean {
  const value = host.toLowerCase();
  const authority = parseAuthority(value);
  for (const entry of policy.allowedHosts) {
    const allowed = entry.toLowerCase();
    if (allowed === value || allowed === authority?.hostname) return true;
  }
  if (!policy.loopback && policy.allowedHosts.length === 0) return true;
  return authority !== undefined && isLoopbackHostname(authority.hostname);
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Constant-time check of a bearer token. */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Check Host (DNS rebinding), Origin and the bearer token of a request.
 * Returns the refusal to send, or undefined when the request may go on.
 */
export function guardRequest(headers: IncomingHttpHeaders, policy: GuardPolicy): Refusal | undefined {
  const host = headers.host;
  if (host === undefined || host === "" || !hostAllowed(host, policy)) {
    return {
      status: 403,
      message: `Forbidden: Host header ${JSON.stringify(host ?? "")} is not allowed (DNS rebinding protection); add it to server.allowedHosts if this name is yours`,
    };
  }
  const origin = headers.origin;
  if (origin !== undefined && !originAllowed(origin, policy.allowedOrigins)) {
    return {
      status: 403,
      message: `Forbidden: Origin ${JSON.stringify(origin)} is not allowed; add it to server.allowedOrigins to let that page connect`,
    };
  }
  if (policy.authToken !== undefined) {
    const header = headers.authorization;
    const match = typeof header === "string" ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
    if (!match) {
      return {
        status: 401,
        message: "Unauthorized: send Authorization: Bearer <token>",
        headers: { "WWW-Authenticate": 'Bearer realm="mcp-switchboard"' },
      };
    }
    if (!tokenMatches(match[1]!, policy.authToken)) {
      return {
        status: 401,
        message: "Unauthorized: the bearer token is not valid",
        headers: { "WWW-Authenticate": 'Bearer realm="mcp-switchboard", error="invalid_token"' },
      };
    }
  }
  return undefined;
}

/** Headers the browser may send and read (CORS). */
export const CORS_ALLOW_HEADERS =
  "Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name";
export const CORS_EXPOSE_HEADERS = "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate";

/** No headers: shared, never modified (most requests carry no Origin). */
const NO_HEADERS: Record<string, string> = Object.freeze({});

/** CORS response headers for an allowed origin (none without an Origin header). */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  if (origin === undefined) return NO_HEADERS;
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Expose-Headers": CORS_EXPOSE_HEADERS,
    Vary: "Origin",
  };
}
