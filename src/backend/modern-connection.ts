import type { ServerConfig } from "../config/types.js";
import type { JsonObject } from "../jsonrpc/message.js";
import type { JsonRpcPeer } from "../jsonrpc/peer.js";
import type { Logger } from "../log/logger.js";
import { Method } from "../mcp/methods.js";
import { ModernMethod } from "../mcp/modern-client.js";
import type { ListSender } from "./catalog-listing.js";
import { ChangeListener, listFilterOf } from "./change-listener.js";
import { CLIENT_INFO } from "./handshake.js";
import { ModernDialect } from "./modern-dialect.js";

/** The modern side of one backend connection. */
export interface ModernConnection {
  readonly dialect: ModernDialect;
  /** Its `subscriptions/listen`, when it declared something to listen to (list changes, resource subscriptions). */
  readonly listener: ChangeListener | undefined;
  /** How its lists are asked for: with the modern `_meta`, declaring our capabilities. */
  readonly send: ListSender;
}

/** What openModern needs. */
export interface ModernConnectionOptions {
  config: ServerConfig;
  label: string;
  logger: Logger;
  /** The client capabilities we declare when serving no particular client. */
  ours: JsonObject;
  /** What the backend declared in its DiscoverResult. */
  capabilities: Readonly<Record<string, unknown>>;
}

/**
 * The dialect and the change listener of a modern backend connection on
 * `peer`: the listener's acknowledgements are taken from the peer, and its
 * listens are modern requests like any other (our capabilities in `_meta`).
 */
export function openModern(peer: JsonRpcPeer, options: ModernConnectionOptions): ModernConnection {
  const { capabilities } = options;
  const lists = listFilterOf(capabilities);
  const resources = capabilities["resources"];
  const subscribable = typeof resources === "object" && resources !== null && (resources as Record<string, unknown>)["subscribe"] === true;
  let dialect!: ModernDialect;
  let listener: ChangeListener | undefined;
  if (lists.toolsListChanged || lists.promptsListChanged || lists.resourcesListChanged || subscribable) {
    listener = new ChangeListener({
      label: options.label,
      logger: options.logger,
      request: (method, params, requestOptions) => peer.request(method, dialect.params(params), requestOptions),
      lists,
      ackTimeoutMs: options.config.timeoutMs,
    });
    const heard = listener;
    peer.setNotificationHandler(ModernMethod.SubscriptionsAcknowledged, (params) => heard.acknowledged(params));
    // A modern server sends requests to nobody: its notifications/cancelled can only end a listen of ours.
    peer.setNotificationHandler(Method.Cancelled, (params) => void heard.endedByServer(params?.["requestId"]));
  }
  dialect = new ModernDialect(options.config, CLIENT_INFO, options.ours, listener);
  return { dialect, listener, send: (method, params, requestOptions) => peer.request(method, dialect.params(params), requestOptions) };
}
