import { Cancellation } from "../jsonrpc/cancellation.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { SwitchboardError, hasCode } from "../jsonrpc/local-error.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { RequestOptions } from "../jsonrpc/peer.js";
import type { Logger } from "../log/logger.js";
import { ModernMethod } from "../mcp/modern-client.js";

/** The list kinds a `subscriptions/listen` may ask for. */
export interface ListFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
}

/** What a ChangeListener needs. */
export interface ChangeListenerOptions {
  label: string;
  logger: Logger;
  /** Send a modern request on the backend's connection (the caller adds the modern `_meta`). */
  request: (method: string, params: JsonObject, options: RequestOptions) => Promise<JsonObject>;
  /** The list changes to hear about (what the backend declared `listChanged` for). */
  lists: ListFilter;
  /** How long to wait for the acknowledgement of a listen, ms. */
  ackTimeoutMs: number;
  /** First delay before reopening a listen that ended, ms (doubles, capped at 30 s). */
  retryMs?: number;
}

/** Longest delay between attempts to reopen a listen. */
const MAX_RETRY_MS = 30_000;

/**
 * The `subscriptions/listen` the switchboard keeps open to one modern backend
 * connection: the list changes it declared, and the resources the gateway
 * subscribed to (the modern replacement of `resources/subscribe`). The
 * notifications it brings (`notifications/*_list_changed`,
 * `notifications/resources/updated`) reach the connection's usual handlers,
 * so they become the same catalog and resource events a legacy backend
 * produces. A listen's filter cannot change, so a new subscription opens a
 * new listen and, once it is acknowledged, cancels the old one. A listen that
 * ends (the backend answered it, or failed it) is reopened after a delay; one
 * the backend does not know (-32601) is not. stop() cancels it.
 */
export class ChangeListener {
  private readonly uris = new Set<string>();
  private current: Cancellation | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly acks: Array<() => void> = [];
  private stopped = false;
  private retryMs: number;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ChangeListenerOptions) {
    this.retryMs = options.retryMs ?? 1000;
  }

  /** The resource URIs listened to. */
  get resources(): readonly string[] {
    return [...this.uris];
  }

  /** Open the first listen (nothing happens when there is nothing to hear about). */
  start(): Promise<void> {
    return this.reopen();
  }

  /** Hear `notifications/resources/updated` for `uri` from now on (resolves once the backend acknowledged it). */
  subscribe(uri: string): Promise<void> {
    if (this.uris.has(uri)) return this.chain;
    this.uris.add(uri);
    return this.reopen();
  }

  /** Stop hearing about `uri`. */
  unsubscribe(uri: string): Promise<void> {
    if (!this.uris.delete(uri)) return this.chain;
    return this.reopen();
  }

  /** The backend acknowledged a listen (`notifications/subscriptions/acknowledged`). */
  acknowledged(): void {
    this.acks.shift()?.();
  }

  /** End listening for good (the connection is going). */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.current?.cancel(new SwitchboardError("REQUEST_CANCELLED", `${this.options.label} is stopping`));
    this.current = undefined;
    for (const ack of this.acks.splice(0)) ack();
  }

  /** One reopen at a time: each opens a listen with the filter as it is then. */
  private reopen(): Promise<void> {
    this.chain = this.chain.then(() => this.openNow());
    return this.chain;
  }

  private async openNow(): Promise<void> {
    if (this.stopped) return;
    const previous = this.current;
    const filter = this.filter();
    if (filter === undefined) {
      this.current = undefined;
      previous?.cancel(new SwitchboardError("REQUEST_CANCELLED", "nothing left to listen to"));
      return;
    }
    const cancellation = new Cancellation((error) => this.options.logger.warn(`${this.options.label}: a listen cancellation listener failed: ${String(error)}`));
    this.current = cancellation;
    const acked = new Promise<"acked">((resolve) => this.acks.push(() => resolve("acked")));
    const listening = this.options.request(ModernMethod.SubscriptionsListen, { notifications: filter }, { timeoutMs: Infinity, cancellation });
    void listening.then(
      () => this.ended(cancellation, undefined),
      (error: unknown) => this.ended(cancellation, error),
    );
    const settled = listening.then(
      () => undefined,
      () => undefined,
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), this.options.ackTimeoutMs)));
    const outcome = await Promise.race([acked, settled, timeout]);
    clearTimeout(timer);
    if (outcome === "acked") this.retryMs = this.options.retryMs ?? 1000;
    if (outcome === "timeout") this.options.logger.warn(`${this.options.label} did not acknowledge subscriptions/listen within ${this.options.ackTimeoutMs} ms; listening anyway`);
    previous?.cancel(new SwitchboardError("REQUEST_CANCELLED", "replaced by a new listen"));
  }

  /** A listen ended: unless it was replaced or stopped, open another after a delay (none for a backend that does not know the method). */
  private ended(cancellation: Cancellation, error: unknown): void {
    if (this.stopped || this.current !== cancellation) return;
    if (hasCode(error, "CONNECTION_CLOSED")) return;
    if (error instanceof JsonRpcError && error.code === ErrorCode.MethodNotFound) {
      this.options.logger.warn(`${this.options.label} does not serve subscriptions/listen (-32601); its list changes and resource updates will not be heard`);
      this.current = undefined;
      return;
    }
    const why = error === undefined ? "ended it" : `failed it: ${error instanceof Error ? error.message : String(error)}`;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.options.logger.warn(`${this.options.label}: subscriptions/listen ${why}; listening again in ${delay} ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.current === cancellation) void this.reopen();
    }, delay);
    this.retryTimer.unref?.();
  }

  /** The notifications filter of the next listen, or undefined when there is nothing to hear about. */
  private filter(): JsonObject | undefined {
    const filter: JsonObject = {};
    for (const [key, on] of Object.entries(this.options.lists)) if (on === true) filter[key] = true;
    if (this.uris.size > 0) filter["resourceSubscriptions"] = [...this.uris];
    return Object.keys(filter).length > 0 ? filter : undefined;
  }
}

/** The list kinds a modern backend's capabilities declare `listChanged` for. */
export function listFilterOf(capabilities: Readonly<Record<string, unknown>>): ListFilter {
  const changes = (key: string): boolean => {
    const declared = capabilities[key];
    return isJsonObject(declared) && declared["listChanged"] === true;
  };
  return { toolsListChanged: changes("tools"), promptsListChanged: changes("prompts"), resourcesListChanged: changes("resources") };
}
