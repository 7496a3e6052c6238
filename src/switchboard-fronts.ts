import type { Readable, Writable } from "node:stream";
import type { SwitchboardConfig } from "./config/types.js";
import { serveStdio, type StdioFront } from "./front/stdio-front.js";
import { serveHttp, type HttpFront } from "./front/http/http-front.js";
import type { Gateway } from "./gateway/gateway.js";
import type { Logger } from "./log/logger.js";
import type { HealthReport } from "./switchboard-stats.js";

/** How to serve: one client on stdio, or many over Streamable HTTP. */
export type RunOptions =
  | { transport: "stdio"; input?: Readable; output?: Writable }
  | { transport: "http"; host?: string; port?: number; path?: string };

/** A front being served. */
export interface RunningFront {
  /** The MCP endpoint URL (HTTP front only). */
  url?: string;
  /** Resolves when the front is done (stdio: the client closed its input; HTTP: close() was called). */
  closed: Promise<void>;
  /** Stop this front (HTTP: graceful, within the shutdown grace period). */
  close(): Promise<void>;
}

/** A front as the set keeps it: how to stop it, and its client sessions (HTTP). */
interface ServedFront {
  close(): Promise<void>;
  sessions?: () => number;
}

/**
 * The fronts one switchboard serves, all on its one gateway: each kept from
 * the moment it listens until it is done, its sessions counted for health,
 * and every one still open closed by `closeAll()`.
 */
export class Fronts {
  private readonly running = new Set<ServedFront>();

  /** `health` answers the HTTP front's `/healthz`. */
  constructor(
    private readonly gateway: Gateway,
    private readonly logger: Logger,
    private readonly health: () => HealthReport,
  ) {}

  /** Client sessions of every open front (a stdio front counts none). */
  get sessionCount(): number {
    let count = 0;
    for (const front of this.running) count += front.sessions?.() ?? 0;
    return count;
  }

  /** Serve a front with the limits of `config`: it listens and answers `initialize` at once. */
  async serve(options: RunOptions, config: SwitchboardConfig): Promise<RunningFront> {
    if (options.transport === "stdio") {
      const front: StdioFront = await serveStdio(this.gateway, this.logger, {
        input: options.input ?? process.stdin,
        output: options.output ?? process.stdout,
        maxMessageBytes: config.maxMessageBytes,
        maxBufferedBytes: config.maxBufferedBytes,
      });
      this.running.add(front);
      void front.closed.then(() => this.running.delete(front));
      return { closed: front.closed, close: () => front.close() };
    }
    const settings = {
      ...config.server,
      maxBufferedBytes: config.maxBufferedBytes,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.path === undefined ? {} : { path: options.path }),
    };
    const http: HttpFront = await serveHttp(this.gateway, this.logger, settings, this.health);
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    const front: ServedFront = {
      sessions: () => http.sessionCount,
      close: async () => {
        await http.close();
        this.running.delete(front);
        markClosed();
      },
    };
    this.running.add(front);
    return { url: http.url, closed, close: front.close };
  }

  /** Close every front still open (each removes itself once closed). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.running].map((front) => front.close()));
  }
}
