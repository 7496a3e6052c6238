import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
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
 */
export function createAgent(url: URL, options: AgentOptions = {}): HttpAgent {
  const common = { keepAlive: true, maxSockets: options.maxSockets ?? DEFAULT_MAX_SOCKETS, maxFreeSockets: 8, scheduling: "lifo" as const };
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
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const all: OutgoingHttpHeaders = { ...endpoint.headers, ...headers };
  if (body !== undefined) all["content-length"] = Buffer.byteLength(body);
  const request = send(url, { method, headers: all, agent: endpoint.agent });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once("response", resolve);
    request.once("error", reject);
  });
  // The caller may never await the response (a request aborted at once): its rejection must not go unhandled.
  response.catch(() => undefined);
  request.end(body);
  return { request, response };
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

/** A network failure in words (`connect ECONNREFUSED 127.0.0.1:4000`), without the request's headers. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
