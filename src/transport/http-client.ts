import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** How one remote server is reached: its URL, the headers sent every time, and a pooled agent. */
export interface RemoteEndpoint {
  readonly url: URL;
  /** Static headers (credentials among them): never logged. */
  readonly headers: Readonly<Record<string, string>>;
  readonly agent: HttpAgent;
}

/** Sockets one remote server may use at once (keep-alive, pooled). */
export const DEFAULT_MAX_SOCKETS = 32;

/** TLS and pooling settings for an agent. */
export interface AgentOptions {
  /** PEM CA certificates trusted besides the system's. */
  ca?: string | Buffer;
  rejectUnauthorized?: boolean;
  maxSockets?: number;
}

/**
 * A keep-alive agent for `url`: connections are reused across requests and
 * bounded per server (`maxSockets`); idle ones do not keep the process alive.
 * Every socket may stay pooled while idle (`maxFreeSockets` = `maxSockets`):
 * with fewer, a burst of answers closed the sockets over the bound and the
 * next requests connected again (a TCP connect and close per call under load).
 * Idle sockets end when the server closes them (its keep-alive timeout).
 */
export function createAgent(url: URL, options: AgentOptions = {}): HttpAgent {
  const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
  const common = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: "lifo" as const };
  if (url.protocol === "https:") {
    return new HttpsAgent({ ...common, rejectUnauthorized: options.rejectUnauthorized ?? true, ...(options.ca === undefined ? {} : { ca: options.ca }) });
  }
  return new HttpAgent(common);
}

/** One HTTP exchange in progress: the request (to abort it) and its response. */
export interface Exchange {
  readonly request: ClientRequest;
  readonly response: Promise<IncomingMessage>;
}

/**
 * Send one request to `url` through the endpoint's agent with its static
 * headers plus `headers`. The response promise rejects on a network failure
 * (refused, reset, TLS) before the response head; redirects are returned as
 * they are, never followed (following one to another origin would hand it our
 * credentials).
 */
export function sendRequest(endpoint: RemoteEndpoint, method: string, url: URL, headers: OutgoingHttpHeaders, body?: string): Exchange {
  const target = requestTarget(url);
  const all: OutgoingHttpHeaders = { ...endpoint.headers, ...headers };
  if (body !== undefined) all["content-length"] = Buffer.byteLength(body);
  const options: RequestOptions = { protocol: target.protocol, hostname: target.hostname, port: target.port, path: target.path, method, headers: all, agent: endpoint.agent };
  if (target.auth !== undefined) options.auth = target.auth;
  const request = target.secure ? httpsRequest(options) : httpRequest(options);
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once("response", resolve);
    request.once("error", reject);
  });
  // The caller may never await the response (a request aborted at once): its rejection must not go unhandled.
  response.catch(() => undefined);
  request.end(body);
  return { request, response };
}

/** Where a request goes, as node:http wants it: computed once per URL object (the hot path posts to the same URL every time). */
interface RequestTarget {
  secure: boolean;
  protocol: string;
  hostname: string;
  port: number | undefined;
  path: string;
  /** `user:password` from the URL (Basic auth, as node:http derives it from a URL). */
  auth: string | undefined;
}

const targets = new WeakMap<URL, RequestTarget>();

function requestTarget(url: URL): RequestTarget {
  let target = targets.get(url);
  if (!target) {
    // The URL's hostname keeps an IPv6 address's brackets; node:http wants it without.
    const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    target = { secure: url.protocol === "https:", protocol: url.protocol, hostname, port: url.port === "" ? undefined : Number(url.port), path: `${url.pathname}${url.search}`, auth: undefined };
    if (url.username !== "" || url.password !== "") target.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    targets.set(url, target);
  }
  return target;
}

/**
 * Read a whole body, at most `maxBytes`: resolves with the text, or with
 * undefined when the body is larger (the response is then destroyed).
 */
export function readBody(response: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let length = 0;
    response.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) {
        response.destroy();
        resolve(undefined);
        return;
      }
      parts.push(chunk);
    });
    response.once("end", () => resolve(Buffer.concat(parts, length).toString("utf8")));
    response.once("error", reject);
    response.once("close", () => {
      if (!response.complete) reject(new Error("the connection closed before the whole answer arrived"));
    });
  });
}

/** The media type of a response, lower case, without parameters. */
export function mediaType(response: IncomingMessage): string {
  return (response.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * A URL fit for logs, errors and stats: no user or password, and the value
 * of every query parameter replaced (tokens often travel there).
 */
export function redactUrl(url: URL | string): string {
  const copy = new URL(String(url));
  copy.username = "";
  copy.password = "";
  for (const key of [...new Set(copy.searchParams.keys())]) copy.searchParams.set(key, "redacted");
  return copy.toString().replace(/=redacted/g, "=…");
}

/**
 * The request failed because the pooled connection it was given had just
 * been closed by the server (its keep-alive timeout, or the server went
 * away): a reset or broken pipe on a reused socket before any answer. Such a
 * request never reached the server's handler and is sent again once, on a
 * fresh connection, which then tells whether the server is really there.
 */
export function isStaleSocket(exchange: Exchange, error: unknown): boolean {
  if (!exchange.request.reusedSocket) return false;
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  return code === "ECONNRESET" || code === "EPIPE";
}

/** A network failure in words (`connect ECONNREFUSED 127.0.0.1:4000`), without the request's headers. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Codes of certificate verification failures (OpenSSL's, as Node reports them) besides Node's own `ERR_TLS_*`. */
const CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
]);

/**
 * Why a server could not be reached, completing `backend "x" …`: a TLS
 * failure says so and what to do about it; anything else is "unreachable".
 */
export function unreachableDescription(url: URL, error: unknown): string {
  const where = redactUrl(url);
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  if (code !== undefined && (CERTIFICATE_CODES.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_"))) {
    return `failed TLS verification at ${where} (${describeNetworkError(error)}): trust the CA that signed its certificate with "tls": { "ca": "<PEM file>" } in this server's config, or fix the certificate`;
  }
  return `is unreachable at ${where} (${describeNetworkError(error)})`;
}
