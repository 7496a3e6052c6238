import type { JsonObject } from "../jsonrpc/message.js";
import { JsonRpcPeer, type RequestHandler } from "../jsonrpc/peer.js";
import type { Logger } from "../log/logger.js";
import type { CatalogKind } from "../mcp/catalog-kinds.js";
import { Method } from "../mcp/methods.js";
import { watchCatalog, type CatalogWatch } from "./catalog-watch.js";
import type { Connection } from "./connector.js";
import type { ProgressTokens } from "./progress-tokens.js";

/** What the peer of one backend connection needs, and where what the backend sends goes. */
export interface BackendPeerOptions {
  label: string;
  /** Per-request timeout. */
  timeoutMs: number;
  logger: Logger;
  /** The backend's progress tokens. */
  progress: ProgressTokens;
  /** Serves its requests other than ping (sampling, elicitation, roots); none: -32601. */
  onServerRequest: RequestHandler | undefined;
  /** Its logs and resource updates; `relatedTag`: the tag of our request on whose stream it came (see JsonRpcPeer). */
  notification: (method: string, params: JsonObject | undefined, relatedTag: unknown) => void;
  /** Fetch and install these kinds again (a list_changed came). */
  relist: (peer: JsonRpcPeer, kinds: CatalogKind[]) => Promise<void>;
}

/**
 * The JSON-RPC peer over a new backend connection (a backend request it
 * abandons is cancelled on the backend), serving what the backend may send,
 * and the re-listing of its catalogs on list_changed (catalog-watch.ts).
 */
export function openPeer(connection: Connection, options: BackendPeerOptions): { peer: JsonRpcPeer; watch: CatalogWatch } {
  const { label, logger } = options;
  const peer = new JsonRpcPeer(connection.transport, {
    label,
    requestTimeoutMs: options.timeoutMs,
    onAbandon: (id, reason) => void peer.notify(Method.Cancelled, { requestId: id, reason }).catch(() => undefined),
    onWarning: (message) => logger.warn(message),
  });
  serveBackendMessages(peer, options);
  const watch = watchCatalog(
    peer,
    (kinds) => options.relist(peer, kinds),
    (error) => logger.warn(`${label} could not re-list its catalog: ${String(error)}`),
  );
  return { peer, watch };
}

/**
 * Serve what a backend may send on its connection besides answers and list
 * changes (catalog-watch.ts): `ping`, its other requests (and their
 * cancellation), progress for our tokens, `notifications/message`,
 * `notifications/resources/updated`, `notifications/elicitation/complete` and
 * `notifications/tasks/status`.
 */
function serveBackendMessages(peer: JsonRpcPeer, routes: BackendPeerOptions): void {
  peer.setRequestHandler(Method.Ping, () => ({}));
  if (routes.onServerRequest) peer.setFallbackRequestHandler(routes.onServerRequest);
  peer.setNotificationHandler(Method.Cancelled, (params) => {
    const id = params?.["requestId"];
    if (typeof id === "string" || typeof id === "number") {
      peer.cancelIncoming(id, typeof params?.["reason"] === "string" ? params["reason"] : `${routes.label} cancelled its request`);
    }
  });
  peer.setNotificationHandler(Method.Progress, (params) => {
    if (!routes.progress.deliver(params)) routes.logger.debug(`${routes.label} sent progress for an unknown token`);
  });
  for (const method of [Method.LoggingMessage, Method.ResourcesUpdated, Method.ElicitationComplete, Method.TaskStatus]) {
    peer.setNotificationHandler(method, (params, relatedTag) => routes.notification(method, params, relatedTag));
  }
}
