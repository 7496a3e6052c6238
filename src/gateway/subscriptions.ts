import type { Backend } from "../backend/backend.js";
import type { JsonObject } from "../jsonrpc/message.js";
import type { Logger } from "../log/logger.js";
import { Method } from "../mcp/methods.js";
import { forward } from "./forward.js";
import type { ClientSink, RequestContext } from "./request-context.js";

/** One backend resource some clients are subscribed to. */
interface Subscription {
  readonly backend: Backend;
  /** The backend's own URI. */
  readonly uri: string;
  /** The URI the clients know it by. */
  readonly exposed: string;
  readonly clients: Set<string>;
  /** The backend's subscribe, sent once for every client. */
  subscribed: Promise<unknown>;
}

/**
 * Resource subscriptions, reference-counted per (backend, original URI): the
 * first client's `resources/subscribe` is forwarded, later ones only join;
 * the last one's `resources/unsubscribe` (or its session ending) is
 * forwarded. `notifications/resources/updated` goes to the subscribed
 * clients only, with the URI they know. After a backend restart every
 * subscription on it is renewed.
 */
export class Subscriptions {
  private readonly byKey = new Map<string, Subscription>();
  private readonly byClient = new Map<string, Set<string>>();

  constructor(private readonly logger: Logger) {}

  /** Number of (backend, URI) subscriptions held on backends. */
  get size(): number {
    return this.byKey.size;
  }

  /** Subscribe `context.client` to `uri` of `backend`, known to it as `exposed`. */
  async subscribe(backend: Backend, uri: string, exposed: string, context: RequestContext): Promise<JsonObject> {
    const key = keyOf(backend.name, uri);
    const clientId = context.client.id;
    let subscription = this.byKey.get(key);
    if (!subscription) {
      const created: Subscription = { backend, uri, exposed, clients: new Set(), subscribed: Promise.resolve() };
      created.subscribed = forward(backend, Method.ResourcesSubscribe, { uri }, context);
      this.byKey.set(key, created);
      subscription = created;
    }
    subscription.clients.add(clientId);
    this.clientKeys(clientId).add(key);
    try {
      await subscription.subscribed;
    } catch (error) {
      this.drop(clientId, key, false);
      throw error;
    }
    return {};
  }

  /** End `context.client`'s subscription to `uri` of `backend` (unknown ones succeed: the spec has nothing to refuse). */
  async unsubscribe(backend: Backend, uri: string, context: RequestContext): Promise<JsonObject> {
    const subscription = this.drop(context.client.id, keyOf(backend.name, uri), false);
    if (subscription && backend.state === "ready") await forward(backend, Method.ResourcesUnsubscribe, { uri }, context);
    return {};
  }

  /** A client left: its subscriptions end (backends unsubscribed where it was the last). */
  forget(clientId: string): void {
    const keys = this.byClient.get(clientId);
    if (keys === undefined) return; // most clients (every modern request's) never subscribed
    for (const key of [...keys]) this.drop(clientId, key, true);
    this.byClient.delete(clientId);
  }

  /** `backend` became ready (again): renew its subscriptions. */
  renew(backend: Backend): void {
    for (const subscription of this.byKey.values()) {
      if (subscription.backend !== backend) continue;
      subscription.subscribed = backend.request(Method.ResourcesSubscribe, { uri: subscription.uri }).catch((error: unknown) => {
        this.logger.warn(`could not renew the subscription to ${subscription.uri} on backend "${backend.name}": ${String(error)}`);
      });
    }
  }

  /** Route a backend's `notifications/resources/updated` to its subscribers. */
  updated(backend: Backend, params: JsonObject | undefined, clients: Pick<ReadonlyMap<string, ClientSink>, "get">): void {
    const uri = params?.["uri"];
    if (typeof uri !== "string") return;
    const subscription = this.byKey.get(keyOf(backend.name, uri));
    if (!subscription) return;
    for (const clientId of subscription.clients) clients.get(clientId)?.notify(Method.ResourcesUpdated, { ...params, uri: subscription.exposed });
  }

  /** Remove one client from one subscription; the subscription, if it was the last client's, is returned and gone. */
  private drop(clientId: string, key: string, tellBackend: boolean): Subscription | undefined {
    this.byClient.get(clientId)?.delete(key);
    const subscription = this.byKey.get(key);
    if (!subscription || !subscription.clients.delete(clientId) || subscription.clients.size > 0) return undefined;
    this.byKey.delete(key);
    if (tellBackend && subscription.backend.state === "ready") {
      subscription.backend.request(Method.ResourcesUnsubscribe, { uri: subscription.uri }).catch(() => undefined);
    }
    return subscription;
  }

  private clientKeys(clientId: string): Set<string> {
    let keys = this.byClient.get(clientId);
    if (!keys) this.byClient.set(clientId, (keys = new Set()));
    return keys;
  }
}

function keyOf(server: string, uri: string): string {
  return `${server}\n${uri}`;
}
