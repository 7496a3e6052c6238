import { SwitchboardError } from "../jsonrpc/local-error.js";
import type { JsonRpcId, JsonRpcMessage, JsonRpcResponse } from "../jsonrpc/message.js";
import type { LegacySession } from "./http-client-session.js";

/** What a transparent re-initialize needs of the Streamable HTTP client transport. */
export interface ReinitializeHost {
  /** `backend "x"`, for messages. */
  readonly label: string;
  /** The session to begin anew (its remembered initialize is sent again). */
  readonly session: LegacySession;
  /** Stop the old session's GET stream (the new session opens its own). */
  stopEvents(): void;
  /** POST one message in the session; a 404 to it is not retried. */
  post(message: JsonRpcMessage, body: string): Promise<void>;
  warn(message: string): void;
}

/**
 * The transparent re-initialize of a legacy Streamable HTTP session the
 * server has forgotten (HTTP 404): the remembered `initialize` under an id of
 * our own, whose answer is taken here and never handed up, then
 * `notifications/initialized`. One at a time: while it runs, `running` is
 * what later messages wait for before they are posted.
 */
export class SessionReinitializer {
  private current: Promise<void> | undefined;
  private count = 0;
  /** Answers we wait for ourselves (our own initialize), by id. */
  private readonly waiters = new Map<JsonRpcId, (answer: JsonRpcResponse) => void>();

  constructor(private readonly host: ReinitializeHost) {}

  /** The re-initialize under way, if any (settles when it is done, rejects when it failed). */
  get running(): Promise<void> | undefined {
    return this.current;
  }

  /** Begin a new session, or join the re-initialize under way; rejects when the server will not initialize one. */
  reinitialize(): Promise<void> {
    this.current ??= this.run().finally(() => (this.current = undefined));
    return this.current;
  }

  /** True when `answer` is the answer to our own initialize: it is taken here and must not be handed up. */
  take(answer: JsonRpcResponse): boolean {
    if (this.waiters.size === 0 || answer.id === null) return false;
    const waiter = this.waiters.get(answer.id);
    if (!waiter) return false;
    waiter(answer);
    return true;
  }

  private async run(): Promise<void> {
    const { label, session } = this.host;
    const initialize = session.initialize;
    if (!initialize) throw new SwitchboardError("CONNECTION_CLOSED", `${label} lost its session before it was initialized`);
    session.state = "reinitializing";
    session.id = undefined;
    this.host.stopEvents();
    const id = `switchboard-reinitialize-${++this.count}`;
    const answered = new Promise<JsonRpcResponse>((resolve) => this.waiters.set(id, resolve));
    try {
      await this.host.post({ ...initialize, id }, JSON.stringify({ ...initialize, id }));
      const answer = await answered;
      if (!("result" in answer)) throw new SwitchboardError("HANDSHAKE_FAILED", `${label} refused to initialize a new session`);
      await this.host.post({ jsonrpc: "2.0", method: "notifications/initialized" }, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
      this.host.warn(`${label} had forgotten our session (HTTP 404); a new session was initialized`);
    } finally {
      this.waiters.delete(id);
    }
  }
}
