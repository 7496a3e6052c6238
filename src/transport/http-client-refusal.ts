import type { IncomingMessage } from "node:http";
import type { JsonRpcErrorObject } from "../jsonrpc/message.js";
import { jsonRpcErrorIn, quote, readLimited, redirectTarget } from "./http-client-streams.js";

/** Most of an HTTP error body read to find a JSON-RPC error in it (modern errors are small: -32022 lists versions). */
const ERROR_BODY_BYTES = 64 * 1024;

/** The server refused our initialize POST with a 4xx: it may speak only the legacy HTTP+SSE transport. */
export class LegacyFallbackSignal extends Error {
  constructor(readonly status: number) {
    super(`the server answered initialize with HTTP ${status}`);
  }
}

/** What the transport knows about the refused POST when it reads the answer. */
export interface RefusedPost {
  /** The POST carried a request (it expects an answer) in the modern binding. */
  modernRequest: boolean;
  /** The POST was a legacy request or notification inside our session, other than initialize, that may be retried once. */
  inSession: boolean;
  /** The POST was our initialize, and a 4xx may mean the server speaks only HTTP+SSE. */
  mayFallBack: boolean;
  /** The server's URL as it may be shown (no credentials). */
  where: string;
}

/**
 * What a non-2xx answer to a POST means:
 * - `credentials`: 401/403, the server refused our headers; the connection ends for good.
 * - `error`: a modern request's answer whose body is a JSON-RPC error (-32022, -32601, -32020 …): that error is the answer.
 * - `session-lost`: a 404 inside our session; re-initialize and send again once.
 * - `legacy-fallback`: our initialize met a 4xx; try the HTTP+SSE transport.
 * - `failed`: anything else, described for the error that fails the message.
 */
export type Refusal =
  | { kind: "credentials"; description: string }
  | { kind: "error"; error: JsonRpcErrorObject; status: number }
  | { kind: "session-lost" }
  | { kind: "legacy-fallback"; status: number }
  | { kind: "failed"; detail: string; status: number };

/** Read (a bounded part of) the refusal's body and say what it means. */
export async function readRefusal(response: IncomingMessage, post: RefusedPost): Promise<Refusal> {
  const status = response.statusCode ?? 0;
  const raw = await readLimited(response, ERROR_BODY_BYTES);
  if (status === 401 || status === 403) {
    return { kind: "credentials", description: `refused our credentials: HTTP ${status} from ${post.where} (check the "headers" of this server in the config, e.g. its Authorization token)` };
  }
  if (post.modernRequest) {
    const error = jsonRpcErrorIn(raw);
    if (error) return { kind: "error", error, status };
  }
  if (status === 404 && post.inSession) return { kind: "session-lost" };
  if (post.mayFallBack && status >= 400 && status < 500) return { kind: "legacy-fallback", status };
  const text = quote(raw);
  const detail =
    status >= 300 && status < 400
      ? `answered with a redirect (HTTP ${status}${redirectTarget(response)}), which is not followed; put the final URL in the config`
      : `answered HTTP ${status}${text ? `: ${text}` : ""} (at ${post.where})`;
  return { kind: "failed", detail, status };
}
