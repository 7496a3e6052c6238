import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode, JsonRpcError } from "../../jsonrpc/errors.js";
import { isNotification, isRequest } from "../../jsonrpc/message.js";
import { DEFAULT_MAX_CONCURRENT_INCOMING, JsonRpcPeer } from "../../jsonrpc/peer.js";
import { validateMessage } from "../../jsonrpc/parse-message.js";
import type { Logger } from "../../log/logger.js";
import { checkModernMeta, claimsModern, MODERN_METHODS, unsupportedVersionError } from "../../mcp/discover.js";
import { MODERN_VERSIONS } from "../../mcp/versions.js";
import { FrontSession, newClientContext } from "../../gateway/front-session.js";
import type { Gateway } from "../../gateway/gateway.js";
import { LISTEN } from "../../gateway/listen.js";
import { checkModernHeaders, headerParamsIn, type HeaderOf } from "./modern-headers.js";
import { ModernExchange, statusOfError } from "./modern-exchange.js";
import { replyEmpty, replyJson } from "./replies.js";
import { StatelessTransport } from "./stateless-transport.js";

/** Modern requests served at once over all modern HTTP clients by default (listens come on top); more wait in the peer's queue. */
export const STATELESS_CONCURRENCY = 8 * DEFAULT_MAX_CONCURRENT_INCOMING;

/** The HTTP front's stateless side: one peer and handler set serving every modern POST. */
export interface StatelessFront {
  readonly transport: StatelessTransport;
  readonly peer: JsonRpcPeer;
  readonly session: FrontSession;
  readonly gateway: Gateway;
  readonly maxBufferedBytes: number | undefined;
}

/** The stateless side of an HTTP front (started). */
export async function statelessFront(gateway: Gateway, logger: Logger, maxBufferedBytes: number | undefined, maxConcurrent = STATELESS_CONCURRENCY): Promise<StatelessFront> {
  const transport = new StatelessTransport();
  // One peer serves every modern client of the front (a legacy session has
  // one each), and a listen holds its slot while it is open: room for both.
  const peer = new JsonRpcPeer(transport, {
    label: "modern HTTP client",
    onWarning: (message) => logger.warn(message),
    maxConcurrentIncoming: maxConcurrent + gateway.modern.maxListens,
  });
  const session = new FrontSession(gateway, peer, newClientContext("http"), { stateless: true, wireId: (id) => transport.clientIdOf(id) });
  await peer.start();
  return { transport, peer, session, gateway, maxBufferedBytes };
}

/** True when a POST is for the stateless side: its MCP-Protocol-Version is not a legacy one we speak, or its body claims the modern era. */
export function isModernPost(version: string | undefined, parsed: unknown): boolean {
  if (version !== undefined && (MODERN_VERSIONS as readonly string[]).includes(version)) return true;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return false;
  const params = (parsed as { params?: unknown }).params;
  return typeof params === "object" && params !== null && !Array.isArray(params) && claimsModern(params as Record<string, never>);
}

function errorReply(res: ServerResponse, headers: Record<string, string>, id: unknown, error: JsonRpcError, status = statusOfError(error.code) === 200 ? 400 : statusOfError(error.code)): void {
  const safeId = typeof id === "string" || typeof id === "number" ? id : null;
  replyJson(res, status, error.toResponse(safeId), headers);
}

/**
 * A modern (2026-07-28) POST whose body is parsed: validate the envelope,
 * the version and the mirrored headers (streamable-http "Server
 * Validation"), then serve the request statelessly: no session is needed,
 * none is minted. Closing the response before the answer cancels the request.
 */
export function handleModernPost(req: IncomingMessage, res: ServerResponse, front: StatelessFront, headers: Record<string, string>, parsed: unknown, acceptsSse: boolean): void {
  if (Array.isArray(parsed)) {
    errorReply(res, headers, null, new JsonRpcError(ErrorCode.InvalidRequest, "Invalid Request: protocol 2026-07-28 has no JSON-RPC batches; send each request in its own POST"));
    return;
  }
  const outcome = validateMessage(parsed);
  if (!outcome.ok) {
    errorReply(res, headers, null, outcome.error);
    return;
  }
  const message = outcome.message;
  if (isNotification(message)) {
    // 2026-07-28 defines no client notifications over HTTP (closing a stream cancels): accepted, nothing to do.
    replyEmpty(res, 202, headers);
    return;
  }
  if (!isRequest(message)) {
    errorReply(res, headers, null, new JsonRpcError(ErrorCode.InvalidRequest, "Invalid Request: a client sends no responses in protocol 2026-07-28 (the server sends no requests)"));
    return;
  }
  const header: HeaderOf = (name) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  if (!claimsModern(message.params)) {
    // The header names a version that is not ours, and the body names none.
    const version = header("mcp-protocol-version");
    const known = version !== undefined && (MODERN_VERSIONS as readonly string[]).includes(version);
    errorReply(
      res,
      headers,
      message.id,
      known
        ? new JsonRpcError(ErrorCode.InvalidParams, `Invalid params: a ${version} request must carry "io.modelcontextprotocol/protocolVersion" (and clientCapabilities) in params._meta`)
        : unsupportedVersionError(version),
    );
    return;
  }
  const gateway = front.gateway;
  const mismatch = checkModernHeaders(header, message, (tool) => headerParamsIn(gateway.catalogs.tools.listResult, tool));
  if (mismatch !== undefined) {
    errorReply(res, headers, message.id, mismatch, 400);
    return;
  }
  try {
    // The handlers check _meta again (stdio has no other gate); here the refusal gets its HTTP 400.
    checkModernMeta(message.method, message.params);
  } catch (error) {
    if (!(error instanceof JsonRpcError)) throw error;
    errorReply(res, headers, message.id, error, 400);
    return;
  }
  if (!MODERN_METHODS.has(message.method)) {
    errorReply(res, headers, message.id, new JsonRpcError(ErrorCode.MethodNotFound, `Method not found: ${message.method} (not a method of protocol 2026-07-28 this server serves)`), 404);
    return;
  }
  const listen = message.method === LISTEN;
  if (listen && !acceptsSse) {
    errorReply(res, headers, message.id, new JsonRpcError(ErrorCode.InvalidRequest, `Invalid Request: ${LISTEN} is answered with an SSE stream; send Accept: application/json, text/event-stream`));
    return;
  }
  const exchange = new ModernExchange(res, message.id, {
    acceptsSse,
    headers,
    ...(front.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: front.maxBufferedBytes }),
    ...(listen ? { keepAliveMs: gateway.modern.listenKeepAliveMs } : {}),
  });
  const transport = front.transport;
  const peer = front.peer;
  let ours = 0;
  // 'close' comes once per response: closing before the answer is the cancellation.
  res.on("close", () => {
    if (exchange.answered) return;
    transport.detach(ours);
    peer.cancelIncoming(ours, "the HTTP client closed the request's stream");
  });
  ours = transport.receive(message, exchange);
}
