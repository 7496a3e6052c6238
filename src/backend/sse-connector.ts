import type { SseServerConfig } from "../config/types.js";
import { SseClientTransport } from "../transport/sse-client-transport.js";
import type { RemoteStatus } from "../transport/remote-end.js";
import type { Connection, Connector } from "./connector.js";
import { RemoteConnection, RemoteTarget } from "./remote-connection.js";
import type { StdioConnectorOptions } from "./stdio-connector.js";

/** A remote server over the legacy HTTP+SSE transport (2024-11-05). */
export class SseConnector implements Connector {
  private readonly target: RemoteTarget;
  private current: SseClientTransport | undefined;

  constructor(config: SseServerConfig, options: StdioConnectorOptions) {
    this.target = new RemoteTarget(config, options);
  }

  connect(): Connection {
    const endpoint = this.target.endpoint();
    const connection = new RemoteConnection(endpoint.agent);
    const transport = new SseClientTransport(endpoint, { ...this.target.transportOptions(connection.end), startTimeoutMs: this.target.config.startupTimeoutMs });
    connection.transport = transport;
    this.current = transport;
    return connection;
  }

  status(): RemoteStatus {
    return this.current?.status() ?? { transport: "sse", url: this.target.redacted, session: "none", stream: false, lastError: null };
  }
}
