import { isJsonObject, type JsonRpcId } from "../jsonrpc/message.js";
import type { SlotMap } from "../jsonrpc/slot-map.js";
import type { Exchange } from "./http-client.js";

/**
 * How a cancellation reaches our POSTs. A modern (2026-07-28) request is
 * cancelled by closing its stream, which is the binding's cancellation; a
 * legacy request's stream is dropped once the server was told with
 * `notifications/cancelled`. An exchange aborted this way is remembered as
 * abandoned, so that its failure is not taken for a broken connection or a
 * broken answer. (Node's own `destroyed` also marks connections that died.)
 */
export class ExchangeCancellation {
  private readonly abandoned = new WeakSet<Exchange>();
  private readonly modern = new WeakSet<Exchange>();

  /** `inflight`: the transport's exchanges whose answer is still to come, by request id. */
  constructor(private readonly inflight: SlotMap<JsonRpcId, Exchange>) {}

  /** The exchange carries a modern request: a cancellation closes its stream. */
  markModern(exchange: Exchange): void {
    this.modern.add(exchange);
  }

  /** True for an exchange that carries a modern request (its stream is never resumed). */
  isModern(exchange: Exchange): boolean {
    return this.modern.has(exchange);
  }

  /** True for an exchange we aborted on purpose: its failure is no failure of the request. */
  isAbandoned(exchange: Exchange): boolean {
    return this.abandoned.has(exchange);
  }

  /**
   * A `notifications/cancelled` (its `params`) for a modern request: that
   * request's stream is closed. Its id, or undefined when the params name no
   * modern request of ours in flight.
   */
  cancelModern(params: unknown): JsonRpcId | undefined {
    const id = cancelledId(params);
    const exchange = id === undefined ? undefined : this.inflight.get(id);
    if (!exchange || !this.modern.has(exchange)) return undefined;
    this.abandon(exchange);
    return id;
  }

  /**
   * A legacy `notifications/cancelled` (its `params`) is being posted: once
   * `sent` settles (the server was told, or could not be), the stream that
   * would have carried the cancelled request's answer is dropped.
   */
  abandonAfter(sent: Promise<void>, params: unknown): void {
    const id = cancelledId(params);
    if (id === undefined) return;
    const abandon = (): void => {
      const exchange = this.inflight.get(id);
      if (exchange) this.abandon(exchange);
    };
    sent.then(abandon, abandon);
  }

  private abandon(exchange: Exchange): void {
    this.abandoned.add(exchange);
    exchange.request.destroy();
  }
}

/** The request id a `notifications/cancelled` names, when it names a valid one. */
function cancelledId(params: unknown): JsonRpcId | undefined {
  const id = isJsonObject(params) ? params["requestId"] : undefined;
  return typeof id === "string" || typeof id === "number" ? id : undefined;
}
