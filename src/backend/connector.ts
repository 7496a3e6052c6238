import type { Transport } from "../jsonrpc/transport.js";
import type { RemoteStatus } from "../transport/remote-end.js";

/**
 * How a backend reaches its server: a connector opens one connection at a
 * time, and the Backend (lifecycle, handshake, catalog) never knows which
 * kind it has: stdio (a child process), Streamable HTTP, legacy HTTP+SSE.
 */

/** How a connection ended, in words for errors and logs (`exited with code 1`, `was killed by SIGKILL`). */
export interface ConnectionEnd {
  /** What happened, completing "backend "x" …". */
  description: string;
  /** The failure behind it, when the connection failed rather than ended (a spawn error). */
  error?: Error;
  /** Retrying cannot help until the config changes (a remote refused our credentials): the backend is marked failed. */
  permanent?: boolean;
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
  /** What stats and health show of a remote server (URL without credentials, session, last trouble); absent for local ones. */
  status?(): RemoteStatus;
}
