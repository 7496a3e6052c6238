import { Roster, type RosterMember } from "../jsonrpc/roster.js";
import { SlotMap } from "../jsonrpc/slot-map.js";
import type { ClientSink } from "./request-context.js";

/**
 * The clients the gateway can reach besides a request's own answer (logs,
 * resource updates, server-to-client requests, task status): sessions and
 * listens by id, and each 2026-07-28 request's own client while it runs —
 * kept in a Roster, with no Map key or closure per request, and found by id
 * with a scan (only on rare paths: a backend's request or session process
 * for it). `gone(clientId)` runs once when a client leaves, so that its log
 * level, subscriptions, tasks and session processes end with it.
 */
export class AttachedClients {
  /** Clients reached outside of a request (sessions, listens), by id. */
  private readonly byId = new SlotMap<string, ClientSink>();
  /** Each modern request's own client while it runs. */
  private readonly requests = new Roster<ClientSink & RosterMember>();

  constructor(private readonly gone: (clientId: string) => void) {}

  /** Reach `sink` until the returned function is called. */
  attach(sink: ClientSink): () => void {
    this.byId.set(sink.client.id, sink);
    return () => {
      if (this.byId.get(sink.client.id) !== sink) return;
      this.byId.delete(sink.client.id);
      this.gone(sink.client.id);
    };
  }

  /** attach() for the client of one request (an id of its own) until detachRequest(). */
  attachRequest(sink: ClientSink & RosterMember): void {
    this.requests.add(sink);
  }

  /** The request's client attached with attachRequest() is gone. */
  detachRequest(sink: ClientSink & RosterMember): void {
    if (this.requests.delete(sink)) this.gone(sink.client.id);
  }

  /** The attached client `clientId`. */
  get(clientId: string): ClientSink | undefined {
    return this.byId.get(clientId) ?? (this.requests.size === 0 ? undefined : this.requests.find((sink) => sink.client.id === clientId));
  }

  /** True while `clientId` is attached (a client that can be reached). */
  has(clientId: string): boolean {
    return this.get(clientId) !== undefined;
  }

  /** Every attached client: sessions and listens, then requests. */
  *all(): IterableIterator<ClientSink> {
    yield* this.byId.valuesInOrder();
    yield* this.requests.snapshot();
  }

  /** Number of attached clients. */
  get size(): number {
    return this.byId.size + this.requests.size;
  }
}
