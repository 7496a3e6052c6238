import type { ServerConfig } from "../config/types.js";
import type { Connector } from "./connector.js";
import { HttpConnector } from "./http-connector.js";
import { SseConnector } from "./sse-connector.js";
import { StdioConnector, type StdioConnectorOptions } from "./stdio-connector.js";

/** The connector a server's config names: a child process (stdio), Streamable HTTP, or legacy HTTP+SSE. */
export function connectorFor(config: ServerConfig, options: StdioConnectorOptions): Connector {
  switch (config.type) {
    case "stdio":
      return new StdioConnector(config, options);
    case "http":
      return new HttpConnector(config, options);
    case "sse":
      return new SseConnector(config, options);
  }
}
