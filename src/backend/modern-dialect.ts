import type { ServerConfig } from "../config/types.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { capabilitiesForBackend, type ClientFeaturePolicy } from "../mcp/capabilities.js";
import { isLogLevel, mostVerbose, type LogLevel } from "../mcp/log-levels.js";
import { Method } from "../mcp/methods.js";
import { MetaKey, MODERN_VERSION } from "../mcp/modern.js";
import { withModernMeta } from "../mcp/modern-client.js";
import type { Implementation } from "../mcp/types.js";
import type { ChangeListener } from "./change-listener.js";

/**
 * How the switchboard speaks to one modern backend connection: every request
 * carries the modern `_meta` (our protocol version and client info, the
 * capabilities of the client being served, the log level asked for), and the
 * legacy methods the modern era removed are answered here instead of being
 * sent: `ping`, `logging/setLevel` (its level travels in every later
 * request's `_meta`), `resources/subscribe` and `resources/unsubscribe` (the
 * connection's `subscriptions/listen` carries the subscribed URIs).
 */
export class ModernDialect {
  private logLevel: LogLevel | undefined;
  private readonly perClient = new WeakMap<JsonObject, JsonObject>();
  private readonly policy: ClientFeaturePolicy;

  constructor(
    config: ServerConfig,
    private readonly clientInfo: Implementation,
    /** What we declare when serving no particular client (catalog listing, subscriptions). */
    private readonly ours: JsonObject,
    private readonly listener: ChangeListener | undefined,
  ) {
    // The same policy as a legacy backend's handshake (gateway/server-requests.ts clientCapabilitiesFor).
    this.policy = { sampling: true, elicitationForm: true, elicitationUrl: true, roots: config.isolation === "session" || config.roots !== undefined };
  }

  /** The log level requests carry (the last `logging/setLevel` the gateway sent), if any. */
  get level(): string | undefined {
    return this.logLevel;
  }

  /**
   * `params` as a modern request: the modern `_meta` added, declaring
   * `client` (the capabilities of the client served, within what the
   * switchboard can honour for this server) or, without one, ours.
   */
  params(params: JsonObject | undefined, client?: JsonObject): JsonObject {
    return withModernMeta(params, { clientInfo: this.clientInfo, clientCapabilities: client ? this.capabilitiesOf(client) : this.ours, logLevel: this.levelFor(params) });
  }

  /** The more verbose of the level a (modern) client asked for on this request and the one set for every request. */
  private levelFor(params: JsonObject | undefined): string | undefined {
    const meta = params?.["_meta"];
    const asked = isJsonObject(meta) ? meta[MetaKey.LogLevel] : undefined;
    if (!isLogLevel(asked)) return this.logLevel;
    return this.logLevel === undefined ? asked : mostVerbose([asked, this.logLevel]);
  }

  /** The answer to a method the modern era removed, or undefined for a method that goes to the backend. */
  local(method: string, params: JsonObject | undefined): Promise<JsonObject> | undefined {
    switch (method) {
      case Method.Ping:
        return Promise.resolve({});
      case Method.LoggingSetLevel: {
        const level = params?.["level"];
        if (!isLogLevel(level)) return Promise.reject(new JsonRpcError(ErrorCode.InvalidParams, `logging/setLevel: unknown level ${JSON.stringify(level)}`));
        this.logLevel = level;
        return Promise.resolve({});
      }
      case Method.ResourcesSubscribe:
      case Method.ResourcesUnsubscribe: {
        const uri = params?.["uri"];
        if (typeof uri !== "string") return Promise.reject(new JsonRpcError(ErrorCode.InvalidParams, `${method}: "uri" must be a string`));
        if (!this.listener) return Promise.reject(new JsonRpcError(ErrorCode.MethodNotFound, `${method}: this backend is not listened to`));
        const done = method === Method.ResourcesSubscribe ? this.listener.subscribe(uri) : this.listener.unsubscribe(uri);
        return done.then(() => ({}));
      }
      default:
        return undefined;
    }
  }

  private capabilitiesOf(client: JsonObject): JsonObject {
    let declared = this.perClient.get(client);
    if (!declared) {
      declared = capabilitiesForBackend(this.policy, MODERN_VERSION, client) as JsonObject;
      this.perClient.set(client, declared);
    }
    return declared;
  }
}
