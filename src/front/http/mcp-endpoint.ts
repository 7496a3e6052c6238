import { McpErrorCode } from "../../mcp/error-codes.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../../jsonrpc/errors.js";
import { isRequest, type JsonRpcId, type JsonRpcMessage } from "../../jsonrpc/message.js";
import { validateMessage } from "../../jsonrpc/parse-message.js";
import type { Logger } from "../../log/logger.js";
import { Method } from "../../mcp/methods.js";
import { isLegacyVersion, DEFAULT_HTTP_ASSUMED_VERSION, LEGACY_VERSIONS, MODERN_VERSIONS } from "../../mcp/versions.js";
import { Exchange, type ExchangeOptions } from "./exchange.js";
import { BodyTooLargeError, readBody } from "./read-body.js";
import { replyEmpty, replyError } from "./replies.js";
import type { HttpSession, SessionRegistry } from "./session-registry.js";
import { SSE_HEADERS } from "./sse.js";
import { handleModernPost, isModernPost, type StatelessFront } from "./modern-endpoint.js";

/** Bounds of an answer stream: bytes buffered for a slow reader, and a batch's whole answer. */
export interface StreamLimits {
  maxBufferedBytes: number;
  maxBatchResponseBytes: number;
}

/** What the endpoint needs from the front. */
export interface EndpointContext {
  sessions: SessionRegistry;
  logger: Logger;
  maxBodyBytes: number;
  /** Bounds of the streams answers go out on (one object per front, shared). */
  limits: StreamLimits;
  /** Headers every response carries (CORS). */
  headers: Record<string, string>;
  /** Count one unit of work (idle detection). */
  touch(): void;
  /** The stateless side, serving modern-era (2026-07-28) POSTs. */
  stateless: StatelessFront;
}

const SESSION_ID = /^[\x21-\x7e]{1,256}$/;

function accepts(req: IncomingMessage, type: string): boolean {
  const accept = req.headers.accept;
  if (accept === undefined || accept === "") return true;
  return accept.includes(type) || accept.includes("*/*");
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Check MCP-Protocol-Version. An unsupported one is refused with 400 and the
 * modern era's UnsupportedProtocolVersion error (-32022, `data.supported`),
 * which legacy clients read as a plain 400 and dual-era clients use to fall
 * back to a version we speak. Answers true when the request was refused.
 */
function refuseVersion(req: IncomingMessage, res: ServerResponse, ctx: EndpointContext): boolean {
  const version = headerValue(req, "mcp-protocol-version");
  if (version === undefined || isLegacyVersion(version)) return false;
  replyError(
    res,
    400,
    `Bad Request: unsupported MCP-Protocol-Version ${JSON.stringify(version)} (supported: ${LEGACY_VERSIONS.join(", ")})`,
    ctx.headers,
    McpErrorCode.UnsupportedProtocolVersion,
    { supported: [...LEGACY_VERSIONS], requested: version },
  );
  return true;
}

/** GET and DELETE belong to legacy sessions: with a modern MCP-Protocol-Version they are 405 (2026-07-28 has no GET stream and no session). */
function refuseModernStream(req: IncomingMessage, res: ServerResponse, ctx: EndpointContext): boolean {
  const version = headerValue(req, "mcp-protocol-version");
  if (version === undefined || !(MODERN_VERSIONS as readonly string[]).includes(version)) return false;
  replyError(res, 405, `Method Not Allowed: protocol ${version} has no session and no GET stream; POST each request (change notifications come through subscriptions/listen)`, {
    ...ctx.headers,
    Allow: "POST",
  });
  return true;
}

/** Find the session a request names: 400 when it names none, 404 when it is unknown or ended. */
function sessionOf(req: IncomingMessage, res: ServerResponse, ctx: EndpointContext): HttpSession | undefined {
  const id = headerValue(req, "mcp-session-id");
  if (id === undefined || id === "") {
    replyError(res, 400, "Bad Request: Mcp-Session-Id header is required (send initialize first to get one)", ctx.headers);
    return undefined;
  }
  const session = SESSION_ID.test(id) ? ctx.sessions.get(id) : undefined;
  if (!session) {
    replyError(res, 404, "Session not found: it ended or never existed; send initialize to start a new one", ctx.headers, ErrorCode.ServerError);
    return undefined;
  }
  return session;
}

/** POST: one JSON-RPC message (or, for 2025-03-26, a batch). */
export function handlePost(req: IncomingMessage, res: ServerResponse, ctx: EndpointContext): Promise<void> | void {
  ctx.touch();
  const contentType = headerValue(req, "content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    replyError(res, 415, `Unsupported Media Type: POST bodies must be application/json (got ${JSON.stringify(contentType)})`, ctx.headers);
    return;
  }
  if (!accepts(req, "application/json") && !accepts(req, "text/event-stream")) {
    replyError(res, 406, "Not Acceptable: Accept must include application/json or text/event-stream", ctx.headers);
    return;
  }
  // The version header is judged with the body: a modern request is checked
  // on the stateless side (header against _meta), anything else here.
  // The only wait is for the body; the rest is synchronous (a plain function
  // rather than one big async one keeps per-request state small).
  return readBody(req, ctx.maxBodyBytes).then(
    (body) => handleBody(req, res, ctx, body),
    (error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        replyError(res, 413, `Payload Too Large: ${error.message}; raise server.maxBodyBytes if needed`, { ...ctx.headers, Connection: "close" });
      } else {
        res.destroy();
      }
    },
  );
}

/** A POST whose body has arrived: parse, validate, find or make the session, and hand the messages over. */
function handleBody(req: IncomingMessage, res: ServerResponse, ctx: EndpointContext, body: Buffer): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (error) {
    replyError(res, 400, `Parse error: body is not valid JSON (${(error as Error).message})`, ctx.headers, ErrorCode.ParseError);
    return;
  }
  if (isModernPost(headerValue(req, "mcp-protocol-version"), parsed)) {
    handleModernPost(req, res, ctx.stateless, ctx.headers, parsed, accepts(req, "text/event-stream"));
    return;
  }
  if (refuseVersion(req, res, ctx)) return;
  const batch = Array.isArray(parsed);
  const items: unknown[] = batch ? (parsed as unknown[]) : [parsed];
  if (batch && items.length === 0) {
    replyError(res, 400, "Invalid Request: an empty batch", ctx.headers);
    return;
  }
  // One pass: validate, and note the request ids and whether one is initialize.
  const messages: JsonRpcMessage[] = [];
  const ids: JsonRpcId[] = [];
  let initialize = false;
  for (const item of items) {
    const outcome = validateMessage(item);
    if (!outcome.ok) {
      replyError(res, 400, outcome.error.message, ctx.headers, outcome.error.code);
      return;
    }
    const message = outcome.message;
    messages.push(message);
    if (isRequest(message)) {
      ids.push(message.id);
      if (message.method === Method.Initialize) initialize = true;
    }
  }

  let session: HttpSession | undefined;
  const headers = ctx.headers;
  if (initialize) {
    if (messages.length > 1) {
      replyError(res, 400, "Invalid Request: initialize must be sent alone, not in a batch", ctx.headers);
      return;
    }
    if (ctx.sessions.full) {
      replyError(res, 503, "Service Unavailable: the session limit is reached; end an unused session (DELETE) or try later", { ...ctx.headers, "Retry-After": "5" });
      return;
    }
    session = ctx.sessions.create();
  } else {
    session = sessionOf(req, res, ctx);
    if (!session) return;
    const version = session.front.client.protocolVersion;
    if (batch && version !== DEFAULT_HTTP_ASSUMED_VERSION) {
      replyError(res, 400, `Invalid Request: JSON-RPC batches are only part of protocol 2025-03-26; this session speaks ${version}`, ctx.headers);
      return;
    }
  }

  if (ids.length === 0) {
    for (const message of messages) session.transport.receive(message);
    replyEmpty(res, 202, headers);
    return;
  }
  const seen = new Set<JsonRpcId>();
  for (const id of ids) {
    if (session.transport.isAwaiting(id) || seen.has(id)) {
      replyError(res, 400, `Invalid Request: id ${JSON.stringify(id)} is already in use by a request in progress in this session; use a fresh id`, headers);
      return;
    }
    seen.add(id);
  }
  const created = initialize ? session : undefined;
  const options: ExchangeOptions = {
    batch,
    acceptsSse: accepts(req, "text/event-stream"),
    headers,
    maxBufferedBytes: ctx.limits.maxBufferedBytes,
    maxBatchResponseBytes: ctx.limits.maxBatchResponseBytes,
    openStream: session.transport.openRequestStream,
  };
  if (created) options.sessionId = () => (ctx.sessions.isRegistered(created) ? created.id : undefined);
  const exchange = new Exchange(res, ids, options);
  session.transport.attach(ids, exchange);
  const active = session;
  // 'close' comes once per response, so plain listeners (no once() wrappers).
  const cancel = (pending: JsonRpcId[], reason: string): void => {
    active.transport.detach(pending);
    for (const id of pending) active.peer.cancelIncoming(id, reason);
  };
  // A stream's client holds event ids and may resume it: only when the
  // stream expires unresumed is what it waits for cancelled.
  exchange.onExpire = (pending) => cancel(pending, "the HTTP client did not resume its stream");
  res.on("close", () => {
    if (exchange.streaming || (exchange.done && exchange.pendingIds.length === 0)) return;
    // The client went away before its answer, holding no event id to come back with.
    cancel(exchange.pendingIds, "the HTTP client disconnected");
  });
  if (created) res.on("close", () => ctx.sessions.discard(created));
  for (const message of messages) session.transport.receive(message);
}

/**
 * GET: the session's standalone stream for server-initiated messages, or,
 * with `Last-Event-ID`, the resumption of the stream that event belongs to.
 */
export function handleGet(req: IncomingMessage, res: ServerResponse, ctx: EndpointContext): void {
  if (!(req.headers.accept ?? "").includes("text/event-stream")) {
    replyError(res, 406, "Not Acceptable: GET opens an SSE stream; send Accept: text/event-stream", ctx.headers);
    return;
  }
  if (refuseModernStream(req, res, ctx) || refuseVersion(req, res, ctx)) return;
  const session = sessionOf(req, res, ctx);
  if (!session) return;
  const target = session.transport.streamForGet(headerValue(req, "last-event-id"));
  if ("refusal" in target) {
    replyError(res, target.refusal.status, target.refusal.message, ctx.headers);
    return;
  }
  res.writeHead(200, { ...ctx.headers, ...SSE_HEADERS });
  res.flushHeaders();
  target.stream.attach(res, target.after);
}

/** DELETE: end the session. */
export async function handleDelete(req: IncomingMessage, res: ServerResponse, ctx: EndpointContext): Promise<void> {
  if (refuseModernStream(req, res, ctx)) return;
  const session = sessionOf(req, res, ctx);
  if (!session) return;
  await ctx.sessions.end(session.id);
  replyEmpty(res, 200, ctx.headers);
}
