import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpFrontConfig } from "../../config/types.js";
import type { Gateway } from "../../gateway/gateway.js";
import type { Logger } from "../../log/logger.js";
import { handleDelete, handleGet, handlePost, type EndpointContext, type StreamLimits } from "./mcp-endpoint.js";
import { DEFAULT_MAX_BUFFERED_BYTES } from "../../transport/outbound-queue.js";
import { replyEmpty, replyError, replyJson } from "./replies.js";
import { CORS_ALLOW_HEADERS, corsHeaders, guardRequest, isLoopbackAddress, type GuardPolicy } from "./request-guard.js";
import { DEFAULT_RESUME_LIMITS } from "./resumable-stream.js";
import { SessionRegistry } from "./session-registry.js";
import { statelessFront } from "./modern-endpoint.js";

/** A listening HTTP front. */
export interface HttpFront {
  /** The MCP endpoint, with the real port: `http://127.0.0.1:8000/mcp`. */
  url: string;
  port: number;
  /** Live sessions. */
  readonly sessionCount: number;
  /** Stop accepting, give in-flight requests the grace period, end streams and sessions. */
  close(): Promise<void>;
}

/** The HTTP front's settings: the config's `server` section and the per-stream buffer bound. */
export type HttpFrontSettings = HttpFrontConfig & { maxBufferedBytes?: number };

/** Builds the body of `GET /healthz`. */
export type HealthReport = () => { status: "ok" | "degraded"; [key: string]: unknown };

/**
 * Serve the gateway over Streamable HTTP (legacy era) plus `/healthz`. With
 * `authToken` set, `/healthz` gives the full report only with the token, and
 * `{ status }` alone to a caller sending no Authorization header.
 */
export async function serveHttp(gateway: Gateway, logger: Logger, config: HttpFrontSettings, health: HealthReport): Promise<HttpFront> {
  const limits: StreamLimits = {
    maxBufferedBytes: config.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    maxBatchResponseBytes: config.maxBatchResponseBytes,
  };
  const sessions = new SessionRegistry(gateway, logger, {
    maxSessions: config.maxSessions,
    idleMs: config.sessionIdleMs,
    maxBufferedBytes: limits.maxBufferedBytes,
    resume: config.resume ?? DEFAULT_RESUME_LIMITS,
  });
  // Until the socket is bound the guard assumes loopback (the stricter rule);
  // then the configured name or the address it resolved to decides.
  let policy: GuardPolicy = {
    loopback: true,
    allowedOrigins: config.allowedOrigins,
    allowedHosts: config.allowedHosts,
    ...(config.authToken === undefined ? {} : { authToken: config.authToken }),
  };
  const stateless = await statelessFront(gateway, logger, limits.maxBufferedBytes, config.maxStatelessRequests);
  let closing = false;
  const touch = (): void => void gateway.activity++;

  // Against slow clients: whole headers within headersTimeout, a whole request
  // within requestTimeout, checked every second (Node's default is every 30 s).
  const server: Server = createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: 1000,
      // Clients reuse an idle socket until just before this (undici: minus 1 s);
      // a short one races with loaded clients that send on a socket being
      // closed (ECONNRESET on a POST, which no client retries).
      keepAliveTimeout: config.keepAliveTimeoutMs,
    },
    (req, res) => {
      try {
        route(req, res)?.catch((error: unknown) => failed(req, res, error));
      } catch (error) {
        failed(req, res, error);
      }
    },
  );

  /** A request whose handling threw: logged, and answered 500 if nothing was sent yet. */
  function failed(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    logger.error(`http ${req.method} ${req.url} failed: ${String(error)}`);
    if (!res.headersSent) replyError(res, 500, "Internal Server Error");
    else res.end();
  }

  /** Answer one HTTP request; a promise while a POST body or DELETE is in progress. (Not async: every request passes here.) */
  function route(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    const pathname = pathOf(req.url);
    const origin = req.headers.origin;
    const refusal = guardRequest(req.headers, policy);
    // With a token set, /healthz answers a caller that sends no credentials
    // (a load balancer's probe) with the status alone; credentials that are
    // sent must be right, as on the MCP endpoint.
    const statusOnly = refusal?.status === 401 && pathname === "/healthz" && req.headers.authorization === undefined;
    if (refusal && !statusOnly) {
      replyError(res, refusal.status, refusal.message, refusal.headers);
      return;
    }
    const cors = corsHeaders(origin);
    if (closing) {
      replyError(res, 503, "Service Unavailable: the switchboard is shutting down", { ...cors, Connection: "close" });
      return;
    }
    if (pathname === "/healthz") {
      if (req.method !== "GET" && req.method !== "HEAD") {
        replyError(res, 405, "Method Not Allowed: use GET /healthz", { ...cors, Allow: "GET, HEAD" });
        return;
      }
      const report = health();
      replyJson(res, 200, statusOnly ? { status: report.status } : report, { ...cors, "Cache-Control": "no-store" });
      return;
    }
    if (pathname !== config.path) {
      replyError(res, 404, `Not Found: the MCP endpoint is ${config.path}`, cors);
      return;
    }
    const ctx: EndpointContext = { sessions, logger, maxBodyBytes: config.maxBodyBytes, limits, headers: cors, touch, stateless };
    switch (req.method) {
      case "POST":
        return handlePost(req, res, ctx);
      case "GET":
        return handleGet(req, res, ctx);
      case "DELETE":
        return handleDelete(req, res, ctx);
      case "OPTIONS":
        replyEmpty(res, 204, {
          ...cors,
          "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
          "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
          "Access-Control-Max-Age": "86400",
        });
        return;
      default:
        replyError(res, 405, `Method Not Allowed: ${req.method} (use POST, GET or DELETE)`, { ...cors, Allow: "GET, POST, DELETE, OPTIONS" });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  policy = { ...policy, loopback: isLoopbackAddress(config.host) || isLoopbackAddress(address.address) };
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}${config.path}`;

  return {
    url,
    port: address.port,
    get sessionCount() {
      return sessions.size;
    },
    close: async () => {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Listens end at once (answered with their completion result); requests
      // in flight get the grace period; then streams and sessions end.
      await stateless.session.endListens();
      const deadline = Date.now() + config.shutdownGraceMs;
      while ((sessions.busy || stateless.peer.incomingCount > 0) && Date.now() < deadline) await delay(25);
      await sessions.endAll();
      stateless.session.dispose();
      await stateless.peer.close();
      server.closeAllConnections();
      await stopped;
    },
  };
}

/** The path of a request target, without query or fragment (no URL object on the hot path). */
function pathOf(target: string | undefined): string {
  if (target === undefined) return "/";
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
