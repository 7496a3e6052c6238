import { randomUUID } from "node:crypto";
import { FrontSession, newClientContext } from "../../gateway/front-session.js";
import type { Gateway } from "../../gateway/gateway.js";
import { JsonRpcPeer } from "../../jsonrpc/peer.js";
import type { Logger } from "../../log/logger.js";
import { versionAtLeast } from "../../mcp/versions.js";
import type { ResumeLimits } from "./resumable-stream.js";
import { SessionTransport } from "./session-transport.js";

/** The first version whose clients expect a priming event (and `retry`) on every SSE stream. */
const PRIMING_VERSION = "2025-11-25";

/** One legacy-era Streamable HTTP session. */
export interface HttpSession {
  readonly id: string;
  readonly transport: SessionTransport;
  readonly peer: JsonRpcPeer;
  readonly front: FrontSession;
  lastActive: number;
}

/**
 * Live sessions by id, with a cap and an idle timeout. Ids are random UUIDs
 * (unguessable); an ended session's id is never reused.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, HttpSession>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    private readonly gateway: Gateway,
    private readonly logger: Logger,
    private readonly limits: { maxSessions: number; idleMs: number; maxBufferedBytes?: number; resume?: ResumeLimits },
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(250, Math.min(limits.idleMs / 4, 60_000)));
    this.sweeper.unref();
  }

  /** Number of live sessions. */
  get size(): number {
    return this.sessions.size;
  }

  /** True while any session has a request in flight. */
  get busy(): boolean {
    for (const session of this.sessions.values()) if (session.peer.incomingCount > 0) return true;
    return false;
  }

  /** True when no new session may be created. */
  get full(): boolean {
    return this.sessions.size >= this.limits.maxSessions;
  }

  /**
   * Create a session for an `initialize` request. It becomes reachable by its
   * id only once initialize succeeds: a failed one leaves nothing behind.
   */
  create(): HttpSession {
    const id = randomUUID();
    const client = newClientContext("http");
    const transport = new SessionTransport({
      ...(this.limits.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: this.limits.maxBufferedBytes }),
      ...(this.limits.resume === undefined ? {} : { resume: this.limits.resume }),
      // Decided by the version the session negotiated, never by a request's header.
      primes: () => versionAtLeast(client.protocolVersion, PRIMING_VERSION),
    });
    const peer = new JsonRpcPeer(transport, {
      label: `http session ${id.slice(0, 8)}`,
      answerInvalid: true,
      // Warn: what reaches here is a client's own trouble worth seeing (advisory messages shed for a slow reader, invalid input).
      onWarning: (message) => this.logger.warn(message),
    });
    const session: HttpSession = {
      id,
      transport,
      peer,
      front: new FrontSession(this.gateway, peer, client, { onInitialize: () => this.sessions.set(id, session) }),
      lastActive: Date.now(),
    };
    return session;
  }

  /** True when `session` became reachable (its initialize succeeded). */
  isRegistered(session: HttpSession): boolean {
    return this.sessions.get(session.id) === session;
  }

  /** Drop a session whose initialize failed: it was never registered, so nothing else will end it. */
  discard(session: HttpSession): void {
    if (this.isRegistered(session)) return;
    session.front.dispose();
    void session.peer.close();
  }

  /** Find a live session, marking it active. */
  get(id: string): HttpSession | undefined {
    const session = this.sessions.get(id);
    if (session) session.lastActive = Date.now();
    return session;
  }

  /** End a session: its streams close and its requests in flight are cancelled. */
  async end(id: string): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.sessions.delete(id);
    session.front.dispose();
    await session.peer.close();
    return true;
  }

  /** End every session. */
  async endAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id)));
  }

  private sweep(): void {
    const cutoff = Date.now() - this.limits.idleMs;
    for (const session of this.sessions.values()) {
      if (session.lastActive <= cutoff && session.peer.incomingCount === 0) {
        this.logger.info(`http session ${session.id.slice(0, 8)} idle for ${this.limits.idleMs} ms; ended`);
        void this.end(session.id);
      }
    }
  }
}
