import { isResponse, type JsonRpcId, type JsonRpcMessage, type JsonRpcRequest } from "../../jsonrpc/message.js";
import { IdTable } from "../../jsonrpc/id-table.js";
import { SENT, type SendOptions, type Transport } from "../../jsonrpc/transport.js";
import type { ModernExchange } from "./modern-exchange.js";

/**
 * The transport of the HTTP front's stateless (modern era) requests: one
 * peer serves the POSTs of every modern client, each request on its own
 * exchange. Clients choose their ids independently (two clients both send
 * id 0), so each request is served under an id of ours, unique here; its
 * response goes back under the client's own id (ModernExchange), and
 * notifications about it find its exchange by our id.
 */
export class StatelessTransport implements Transport {
  onmessage?: Transport["onmessage"];
  oninvalid?: Transport["oninvalid"];
  onerror?: Transport["onerror"];
  onclose?: Transport["onclose"];

  /** Exchanges by our id of their request (an IdTable: the id names the exchange's slot, no Map entry per request). */
  private readonly exchanges = new IdTable<ModernExchange>();
  private closed = false;

  async start(): Promise<void> {}

  /** Serve `request` on `exchange`: answers our id for it (what the peer knows it by). */
  receive(request: JsonRpcRequest, exchange: ModernExchange): number {
    const id = this.exchanges.add(exchange);
    if (!this.closed) this.onmessage?.({ ...request, id });
    return id;
  }

  /** The id the client sent for the request we serve as `id` (itself when unknown). */
  clientIdOf(id: JsonRpcId): JsonRpcId {
    return typeof id === "number" ? (this.exchanges.get(id)?.clientId ?? id) : id;
  }

  /** Forget a request whose client went away (the peer is told to cancel it separately). */
  detach(id: number): void {
    this.exchanges.delete(id);
  }

  /** Requests in flight. */
  get size(): number {
    return this.exchanges.size;
  }

  /** The request `id` gets no response (cancelled): its exchange ends. */
  abandon(id: JsonRpcId): void {
    if (typeof id !== "number") return;
    const exchange = this.exchanges.get(id);
    if (exchange === undefined) return;
    this.exchanges.delete(id);
    exchange.end();
  }

  /** Not an async function: every modern answer passes here. */
  send(message: JsonRpcMessage, options?: SendOptions): Promise<void> {
    if (this.closed) return SENT;
    if (isResponse(message)) {
      const id = message.id;
      if (typeof id !== "number") return SENT;
      const exchange = this.exchanges.get(id);
      if (exchange === undefined) return SENT;
      try {
        // Throws before anything is written when JSON cannot carry it: the exchange stays, and the peer answers with an error instead.
        const sent = exchange.respond(message);
        this.exchanges.delete(id);
        return sent;
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const related = options?.relatedRequestId;
    const exchange = typeof related === "number" ? this.exchanges.get(related) : undefined;
    // A message about no request in flight has nowhere to go: stateless clients have no standalone stream.
    return exchange === undefined ? SENT : exchange.notify(message, options?.advisory);
  }

  /** End every answer in flight (shutdown). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const exchange of this.exchanges.valuesInOrder()) exchange.end();
    this.exchanges.clear();
    this.onclose?.();
  }
}
