import { randomUUID } from "node:crypto";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { IncomingRequest, JsonRpcPeer } from "../jsonrpc/peer.js";
import { Method } from "../mcp/methods.js";
import type { Implementation } from "../mcp/types.js";
import { negotiateLegacyVersion, DEFAULT_HTTP_ASSUMED_VERSION } from "../mcp/versions.js";
import { VERSION } from "../version.js";
import { readCallParams, type Gateway } from "./gateway.js";
import { CallContext, type ClientContext, type FrontKind } from "./request-context.js";

/** Who the switchboard says it is to its clients. */
export const SERVER_INFO: Implementation = { name: "mcp-switchboard", version: VERSION };

/** A new client context for a front. */
export function newClientContext(front: FrontKind): ClientContext {
  return {
    id: randomUUID(),
    front,
    era: "legacy",
    protocolVersion: DEFAULT_HTTP_ASSUMED_VERSION,
    clientInfo: undefined,
    capabilities: {},
    initialized: false,
  };
}

/** Options of one served client. */
export interface FrontSessionOptions {
  /** Called after a successful `initialize` (the HTTP front mints its session here). */
  onInitialize?: (client: ClientContext) => void;
}

/**
 * One client of the switchboard, on any transport: the MCP server side of the
 * front. Registers the protocol's handlers on the peer and forwards tool
 * changes to the client.
 */
export class FrontSession {
  readonly client: ClientContext;
  readonly peer: JsonRpcPeer;
  private readonly gateway: Gateway;
  private readonly unsubscribe: () => void;

  constructor(gateway: Gateway, peer: JsonRpcPeer, client: ClientContext, options: FrontSessionOptions = {}) {
    this.gateway = gateway;
    this.peer = peer;
    this.client = client;
    peer.setRequestHandler(Method.Initialize, (request) => {
      const result = this.initialize(request.params);
      options.onInitialize?.(client);
      return result;
    });
    peer.setRequestHandler(Method.Ping, () => ({}));
    peer.setRequestHandler(Method.ToolsList, (request) => gateway.listTools(request.cancellation));
    peer.setRequestHandler(Method.ToolsCall, (request) => this.callTool(request));
    peer.setNotificationHandler(Method.Initialized, () => {
      client.initialized = true;
    });
    peer.setNotificationHandler(Method.Cancelled, (params) => {
      const id = params?.["requestId"];
      if (typeof id === "string" || typeof id === "number") {
        const reason = typeof params?.["reason"] === "string" ? params["reason"] : "cancelled by the client";
        peer.cancelIncoming(id, reason);
      }
    });
    this.unsubscribe = gateway.subscribe({
      toolsChanged: () => {
        if (client.initialized && peer.isOpen) void peer.notify(Method.ToolsListChanged).catch(() => undefined);
      },
    });
    const previous = peer.onclose;
    peer.onclose = (reason) => {
      this.unsubscribe();
      previous?.(reason);
    };
  }

  /** Stop forwarding changes to this client. */
  dispose(): void {
    this.unsubscribe();
  }

  private initialize(params: JsonObject | undefined): JsonObject {
    if (!params || typeof params["protocolVersion"] !== "string") {
      throw new JsonRpcError(ErrorCode.InvalidParams, 'Invalid params: initialize needs "protocolVersion", a string');
    }
    this.client.protocolVersion = negotiateLegacyVersion(params["protocolVersion"]);
    this.client.era = "legacy";
    const info = params["clientInfo"];
    if (isJsonObject(info) && typeof info["name"] === "string") {
      this.client.clientInfo = { ...info, name: info["name"], version: String(info["version"] ?? "") };
    }
    this.client.capabilities = isJsonObject(params["capabilities"]) ? params["capabilities"] : {};
    return {
      protocolVersion: this.client.protocolVersion,
      capabilities: { tools: { listChanged: true } },
      serverInfo: SERVER_INFO as JsonObject,
    };
  }

  private callTool(request: IncomingRequest): Promise<JsonObject> {
    const { name, args, meta } = readCallParams(request.params); // throws -32602 for bad params
    const context = new CallContext(this.client, request.id, request.cancellation, meta, request.notify, this.gateway.reportListenerError);
    return this.gateway.callTool(name, args, context) as Promise<JsonObject>;
  }
}
