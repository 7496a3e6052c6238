import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** What the guard needs to know about the front. */
export interface GuardPolicy {
  /** True when bound to a loopback address: Host is checked against DNS rebinding. */
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

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** The hostname part of a Host header or origin authority (`[::1]:8000` → `[::1]`). */
export function hostnameOf(authority: string): string {
  const trimmed = authority.trim().toLowerCase();
  if (trimmed.startsWith("[")) {
    const end = trimmed.indexOf("]");
    return end === -1 ? trimmed : trimmed.slice(0, end + 1);
  }
  const colon = trimmed.indexOf(":");
  return colon === -1 ? trimmed : trimmed.slice(0, colon);
}

/** True when `address` (as passed to listen) is a loopback address. */
export function isLoopbackAddress(address: string): boolean {
  return address === "localhost" || address === "::1" || address.startsWith("127.");
}

/** True when the Origin header value is allowed: the localhost origins, or listed. */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return LOOPBACK_NAMES.has(url.hostname) || url.hostname.startsWith("127.");
}

function hostAllowed(host: string, policy: GuardPolicy): boolean {
  const name = hostnameOf(host);
  if (policy.allowedHosts.some((allowed) => allowed.toLowerCase() === host.toLowerCase() || allowed.toLowerCase() === name)) return true;
  if (!policy.loopback && policy.allowedHosts.length === 0) return true;
  return LOOPBACK_NAMES.has(name) || /^127\.\d+\.\d+\.\d+$/.test(name);
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
