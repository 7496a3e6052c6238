import { readFileSync } from "node:fs";
import type { Agent } from "node:http";
import type { RemoteServerConfig } from "../config/types.js";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import type { Transport } from "../jsonrpc/transport.js";
import { createAgent, redactUrl, type RemoteEndpoint } from "../transport/http-client.js";
import type { RemoteEnd, RemoteTransportOptions } from "../transport/remote-end.js";
import type { Connection, ConnectionEnd } from "./connector.js";
import type { StdioConnectorOptions } from "./stdio-connector.js";

/**
 * Where a remote server is and how to reach it: its URL, headers and TLS
 * settings (the CA file is read here, once, when the backend is created).
 * A problem with them (an unreadable CA file) is kept and reported by
 * every connect().
 */
export class RemoteTarget {
  readonly url: URL;
  readonly redacted: string;
  private readonly ca: Buffer | undefined;
  private readonly problem: string | undefined;

  constructor(
    readonly config: RemoteServerConfig,
    readonly options: StdioConnectorOptions,
  ) {
    this.url = new URL(config.url);
    this.redacted = redactUrl(this.url);
    let ca: Buffer | undefined;
    let problem: string | undefined;
    if (config.tls.caFile !== undefined) {
      try {
        ca = readFileSync(config.tls.caFile);
      } catch (error) {
        problem = `cannot read its tls.ca file ${config.tls.caFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
      }
    }
    this.ca = ca;
    this.problem = problem;
    if (this.url.protocol === "https:" && !config.tls.rejectUnauthorized) {
      options.logger.warn(`backend "${options.name}": TLS certificate verification is off (tls.rejectUnauthorized: false); anyone on the path to ${this.redacted} can pose as this server`);
    }
  }

  /** A fresh endpoint with its own keep-alive pool, for one connection; throws when the settings cannot work. */
  endpoint(): RemoteEndpoint {
    if (this.problem) throw new SwitchboardError("BACKEND_START_FAILED", this.problem);
    const agent = createAgent(this.url, {
      rejectUnauthorized: this.config.tls.rejectUnauthorized,
      ...(this.config.maxSockets === undefined ? {} : { maxSockets: this.config.maxSockets }),
      ...(this.ca ? { ca: this.ca } : {}),
    });
    return { url: this.url, headers: this.config.headers, agent };
  }

  /** Transport options reporting to `end`. */
  transportOptions(end: (e: RemoteEnd) => void): RemoteTransportOptions {
    const { name, logger, maxMessageBytes } = this.options;
    return { label: `backend "${name}"`, server: name, maxMessageBytes, onEnd: end, onWarning: (message) => logger.warn(message) };
  }
}

/** One connection to a remote server: a transport, its pooled agent, and how it ended. */
export class RemoteConnection implements Connection {
  readonly pid = null;
  readonly ended: Promise<ConnectionEnd>;
  private settle!: (end: ConnectionEnd) => void;
  transport!: Transport;

  constructor(private readonly agent: Agent) {
    this.ended = new Promise((resolve) => (this.settle = resolve));
  }

  /** What transports call once the connection is over. */
  readonly end = (end: RemoteEnd): void => this.settle(end);

  async stop(): Promise<void> {
    await this.transport.close();
    this.agent.destroy();
  }
}
