import type { ChildProcessWithoutNullStreams } from "node:child_process";
import type { StdioServerConfig } from "../config/types.js";
import type { Logger } from "../log/logger.js";
import { NdjsonStreamTransport } from "../transport/ndjson-stream-transport.js";
import { childEnv } from "./child-env.js";
import { DEFAULT_STOP_LADDER, exited, spawnChild, stopChild, type StopLadder } from "./child-process.js";
import type { Connection, ConnectionEnd, Connector } from "./connector.js";
import { describeExit } from "./exit-report.js";
import { forwardStderr } from "./stderr-lines.js";

/** What a stdio connector needs beside the server's config. */
export interface StdioConnectorOptions {
  /** The server's name, prefixing its stderr lines. */
  name: string;
  logger: Logger;
  maxMessageBytes: number;
  stopLadder?: StopLadder;
  /** Parent environment (tests pass their own). */
  parentEnv?: NodeJS.ProcessEnv;
}

/** The quick ladder for a child whose startup failed. */
const QUICK_LADDER: StopLadder = { stdinGraceMs: 0, termGraceMs: 500 };

/**
 * A backend in a child process spoken to over its stdin/stdout (NDJSON).
 * Its stderr is logged line by line, rate-limited; stopping it climbs the
 * stop ladder (stdin closed → SIGTERM → SIGKILL to its process group).
 */
export class StdioConnector implements Connector {
  constructor(
    private readonly config: StdioServerConfig,
    private readonly options: StdioConnectorOptions,
  ) {}

  connect(): Connection {
    const { config, options } = this;
    const child = spawnChild(
      {
        command: config.command,
        args: config.args,
        env: childEnv(options.parentEnv ?? process.env, config.env, config.inheritEnv),
        ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      },
      { onWarning: (message) => options.logger.warn(message) },
    );
    child.stdin.on("error", () => undefined);
    forwardStderr(child.stderr, (line) => options.logger.info(`[${options.name}] ${line}`));
    const transport = new NdjsonStreamTransport(child.stdout, child.stdin, { maxMessageBytes: options.maxMessageBytes });
    return new StdioConnection(child, transport, options.stopLadder ?? DEFAULT_STOP_LADDER);
  }
}

class StdioConnection implements Connection {
  readonly ended: Promise<ConnectionEnd>;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly transport: NdjsonStreamTransport,
    private readonly ladder: StopLadder,
  ) {
    const failed = new Promise<ConnectionEnd>((resolve) =>
      child.once("error", (error) => resolve({ description: `failed: ${error.message}`, error })),
    );
    const exit = exited(child).then((status): ConnectionEnd => ({ description: describeExit(status) }));
    this.ended = Promise.race([failed, exit]);
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  async stop(options: { quick?: boolean } = {}): Promise<void> {
    if (this.child.pid === undefined) return;
    await stopChild(this.child, options.quick ? QUICK_LADDER : this.ladder);
  }
}
