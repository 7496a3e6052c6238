import type { HttpServerConfig } from "../config/types.js";
import type { JsonRpcMessage } from "../jsonrpc/message.js";
import type { SendOptions, Transport } from "../jsonrpc/transport.js";
import { HttpClientTransport, LegacyFallbackSignal } from "../transport/http-client-transport.js";
import type { RemoteStatus } from "../transport/remote-end.js";
import { SseClientTransport } from "../transport/sse-client-transport.js";
import type { Connection, Connector } from "./connector.js";
import { RemoteConnection, RemoteTarget } from "./remote-connection.js";
import type { StdioConnectorOptions } from "./stdio-connector.js";

/**
 * A remote server over Streamable HTTP. With `sseFallback` (a `url` entry
 * without a type), a 4xx answer to the first `initialize` POST switches to
 * the legacy HTTP+SSE transport at the same URL, as the specification's
 * backwards-compatibility section describes; the choice is kept for later
 * connections.
 */
export class HttpConnector implements Connector {
  private readonly target: RemoteTarget;
  private legacy = false;
  private current: { status(): RemoteStatus } | undefined;

  constructor(
    private readonly config: HttpServerConfig,
    options: StdioConnectorOptions,
  ) {
    this.target = new RemoteTarget(config, options);
  }

  connect(): Connection {
    const endpoint = this.target.endpoint();
    const connection = new RemoteConnection(endpoint.agent);
    const options = this.target.transportOptions(connection.end);
    const legacy = (): SseClientTransport => {
      const transport = new SseClientTransport(endpoint, { ...options, startTimeoutMs: this.config.startupTimeoutMs });
      this.current = transport;
      return transport;
    };
    if (this.legacy) {
      connection.transport = legacy();
      return connection;
    }
    const http = new HttpClientTransport(endpoint, { ...options, legacyFallback: this.config.sseFallback });
    this.current = http;
    connection.transport = this.config.sseFallback
      ? new FallbackTransport(http, legacy, () => {
          this.legacy = true;
          this.target.options.logger.info(`backend "${this.target.options.name}" does not speak Streamable HTTP; using the legacy HTTP+SSE transport`);
        })
      : http;
    return connection;
  }

  status(): RemoteStatus {
    return this.current?.status() ?? { transport: "http", url: this.target.redacted, session: "none", stream: false, lastError: null };
  }
}

/**
 * Streamable HTTP first; when the server refuses the initialize POST with a
 * 4xx, the legacy HTTP+SSE transport takes over and the same initialize is
 * sent there. The peer above sees one transport throughout.
 */
class FallbackTransport implements Transport {
  onmessage?: Transport["onmessage"];
  oninvalid?: Transport["oninvalid"];
  onerror?: Transport["onerror"];
  onclose?: Transport["onclose"];
  private current: Transport;

  constructor(
    first: Transport,
    private readonly makeLegacy: () => Transport,
    private readonly switched: () => void,
  ) {
    this.current = this.wire(first);
  }

  start(): Promise<void> {
    return this.current.start();
  }

  async send(message: JsonRpcMessage, options?: SendOptions): Promise<void> {
    try {
      await this.current.send(message, options);
    } catch (error) {
      if (!(error instanceof LegacyFallbackSignal)) throw error;
      const legacy = this.wire(this.makeLegacy());
      this.current = legacy;
      await legacy.start();
      this.switched();
      await legacy.send(message, options);
    }
  }

  close(): Promise<void> {
    return this.current.close();
  }

  private wire(transport: Transport): Transport {
    transport.onmessage = (message, extra) => this.onmessage?.(message, extra);
    transport.oninvalid = (error, id, response) => this.oninvalid?.(error, id, response);
    transport.onerror = (error) => this.onerror?.(error);
    transport.onclose = (reason) => this.onclose?.(reason);
    return transport;
  }
}
