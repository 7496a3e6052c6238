import type { ServerConfig } from "../config/types.js";
import type { Connector } from "./connector.js";
import { StdioConnector, type StdioConnectorOptions } from "./stdio-connector.js";

/** The connector a server's config names (stdio today; HTTP and SSE join here). */
export function connectorFor(config: ServerConfig, options: StdioConnectorOptions): Connector {
  return new StdioConnector(config, options);
}
