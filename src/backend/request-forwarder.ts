import { SwitchboardError, hasCode } from "../jsonrpc/local-error.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { JsonRpcPeer } from "../jsonrpc/peer.js";
import type { BackendState, ForwardOptions } from "./backend-types.js";
import type { ConnectionEnd } from "./connector.js";
import { whatNext, withinMs } from "./exit-report.js";
import { explainForwardFailure } from "./forward-failure.js";
import type { ModernConnection } from "./modern-connection.js";
import { ProgressTokens } from "./progress-tokens.js";

/** How long to wait for the exit status after the pipes closed, to name it in errors. */
export const EXIT_STATUS_WAIT_MS = 250;

/**
 * How one backend's requests leave on its live connection: the modern
 * dialect's `_meta` (or its local answer for a method the era removed), a
 * progress token of ours mapped back to the caller's listener, and a
 * failure named for the caller — only a closed connection is reported as
 * the backend's exit (or closed output); the rest by explainForwardFailure.
 */
export class RequestForwarder {
  /** Progress tokens of requests in flight, across the backend's connections. */
  readonly progress = new ProgressTokens();

  constructor(
    private readonly label: string,
    private readonly timeoutMs: number,
    /** The backend's state now (what a failure says comes next). */
    private readonly state: () => BackendState,
  ) {}

  /**
   * Send `method` on `peer` (of the connection that ends with `ended`).
   * Promise chains rather than an async function: this is the hot path, and
   * an async frame costs an allocation per call.
   */
  forward(
    peer: JsonRpcPeer,
    ended: Promise<ConnectionEnd> | undefined,
    modern: ModernConnection | undefined,
    method: string,
    params: JsonObject | undefined,
    options: ForwardOptions,
  ): Promise<JsonObject> {
    let forwarded = params;
    if (modern) {
      const local = modern.dialect.local(method, params);
      if (local) return local;
      forwarded = modern.dialect.params(params, options.clientCapabilities);
    }
    let token: string | undefined;
    if (options.onProgress) {
      token = this.progress.register(options.onProgress);
      const meta = isJsonObject(forwarded?.["_meta"]) ? forwarded["_meta"] : {};
      forwarded = { ...forwarded, _meta: { ...meta, progressToken: token } };
    }
    // The peer was made with this backend's timeout: options pass through as they are.
    const answered = peer.request(method, forwarded, options).catch((error: unknown) => this.explainFailure(method, error, peer, ended));
    if (token === undefined) return answered;
    const owned = token;
    return answered.finally(() => this.progress.release(owned));
  }

  private async explainFailure(method: string, error: unknown, peer: JsonRpcPeer, ended: Promise<ConnectionEnd> | undefined): Promise<never> {
    // A send that failed while the connection stays open is not the backend's end.
    if (hasCode(error, "CONNECTION_CLOSED") && ended && !peer.isOpen) {
      const end = await withinMs(ended, EXIT_STATUS_WAIT_MS);
      const what = end ? end.description : "closed its output";
      throw new SwitchboardError("BACKEND_EXITED", `${this.label} ${what} while handling ${method}; ${whatNext(this.state())}`, { cause: error });
    }
    throw explainForwardFailure(this.label, method, error, this.timeoutMs);
  }
}
