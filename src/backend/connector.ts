import type { Transport } from "../jsonrpc/transport.js";

/**
 * How a backend reaches its server: a connector opens one connection at a
 * time, and the Backend (lifecycle, handshake, catalog) never knows which
 * kind it has. Stdio (a child process) is the first connector; Streamable
 * HTTP and SSE connectors implement the same contract.
 */

/** How a connection ended, in words for errors and logs (`exited with code 1`, `was killed by SIGKILL`). */
export interface ConnectionEnd {
  /** What happened, completing "backend "x" …". */
  description: string;
  /** The failure behind it, when the connection failed rather than ended (a spawn error). */
  error?: Error;
}

/** One open connection to a backend server. */
export interface Connection {
  /** The message transport (not started yet: the peer on top starts it). */
  readonly transport: Transport;
  /**
   * Settles once, when the connection is over for good (the process exited,
   * failed to spawn, the remote end closed). Never rejects.
   */
  readonly ended: Promise<ConnectionEnd>;
  /** The process id for stats, or null (remote connections, or not spawned). */
  readonly pid: number | null;
  /**
   * End the connection and whatever runs behind it; resolves when it is
   * over. `quick`: a startup that failed, no grace for a clean shutdown.
   */
  stop(options?: { quick?: boolean }): Promise<void>;
}

/** Opens connections to one backend server. */
export interface Connector {
  /**
   * Open a new connection. Throws when it cannot even be attempted (a
   * command that cannot be spawned); later failures settle `ended`.
   */
  connect(): Connection;
}
