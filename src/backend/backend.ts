import type { CacheHint } from "../mcp/modern.js";
import type { ServerConfig } from "../config/types.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { SwitchboardError, hasCode } from "../jsonrpc/local-error.js";
import type { JsonObject } from "../jsonrpc/message.js";
import type { JsonRpcPeer } from "../jsonrpc/peer.js";
import type { CatalogKind } from "../mcp/catalog-kinds.js";
import { Method } from "../mcp/methods.js";
import type { Tool } from "../mcp/types.js";
import { Emitter } from "../events/emitter.js";
import { declaredKinds, listAll } from "./catalog-listing.js";
import { CatalogStore } from "./catalog-store.js";
import type { Connection, ConnectionEnd, Connector } from "./connector.js";
import { connectorFor } from "./connectors.js";
import { startupFailure, unavailableReason, withinMs } from "./exit-report.js";
import { openSession, sessionRequestFor, type BackendSession } from "./handshake.js";
import type { IncomingRequest } from "../jsonrpc/peer.js";
import type { ListSender } from "./catalog-listing.js";
import { openModern, type ModernConnection } from "./modern-connection.js";
import { openPeer } from "./backend-peer.js";
import { EXIT_STATUS_WAIT_MS, RequestForwarder } from "./request-forwarder.js";
import { BackendLifecycle } from "./backend-lifecycle.js";
import type { BackendEvents, BackendOptions, BackendState, BackendStats, ForwardOptions } from "./backend-types.js";

export type { BackendEvents, BackendOptions, BackendState, BackendStats, CatalogKind, ForwardOptions } from "./backend-types.js";

/**
 * One backend MCP server over a connector: handshake, the catalogs its
 * capabilities declare (tools, prompts, resources, resource templates),
 * request forwarding, restart with capped exponential backoff (its state
 * machine: `backend-lifecycle.ts`), stop. It never knows which connector
 * it has (a child process, a remote URL).
 */
export class Backend {
  readonly name: string;
  readonly config: ServerConfig;
  /** State, catalog and notification events; listeners are isolated from each other and from the backend. */
  readonly events: Emitter<BackendEvents>;
  private readonly options: BackendOptions;
  private readonly connector: Connector;
  private readonly label: string;
  private connection: Connection | undefined;
  private peer: JsonRpcPeer | undefined;
  private session: BackendSession | undefined;
  private lastCapabilities: Record<string, unknown> = {};
  private readonly catalog: CatalogStore;
  private readonly forwarder: RequestForwarder;
  private lastStartMs: number | null = null;
  private readonly life: BackendLifecycle;
  private firstStart: Promise<void> | undefined;
  /** The modern side of the current connection (its `_meta`, its listen), when the backend is modern. */
  private modern: ModernConnection | undefined;
  private probeMsValue: number | null = null;

  constructor(name: string, config: ServerConfig, options: BackendOptions) {
    this.name = name;
    this.config = config;
    this.options = options;
    this.label = `backend "${name}"`;
    this.connector =
      options.connector ??
      connectorFor(config, {
        name,
        logger: options.logger,
        maxMessageBytes: options.maxMessageBytes,
        ...(options.stopLadder ? { stopLadder: options.stopLadder } : {}),
        ...(options.parentEnv ? { parentEnv: options.parentEnv } : {}),
      });
    this.events = new Emitter<BackendEvents>((error, event) =>
      options.logger.error(`a listener of ${this.label} failed on ${event}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    );
    this.catalog = new CatalogStore((kind) => this.events.emit("catalogChanged", kind));
    this.life = new BackendLifecycle({
      label: this.label,
      logger: options.logger,
      restart: config.restart,
      stableAfterMs: options.stableAfterMs ?? 10_000,
      initial: config.enabled ? "starting" : "disabled",
      changed: (state, previous) => this.events.emit("stateChanged", state, previous),
      retry: () => void this.attempt(),
    });
    this.forwarder = new RequestForwarder(this.label, config.timeoutMs, () => this.life.state);
  }

  /** Current state. */
  get state(): BackendState {
    return this.life.state;
  }

  /** False for `prefix: false` servers: names and URIs are exposed as they are. */
  get prefixed(): boolean {
    return this.config.prefix;
  }

  /** The entries of `kind` it serves now (empty unless ready). */
  entries(kind: CatalogKind): readonly JsonObject[] {
    return this.catalog.entries(kind);
  }

  /**
   * How long its list of `kind` may be cached and for whom, as a modern
   * backend said in its list results; undefined for legacy backends (the
   * gateway then applies its default).
   */
  cacheHint(kind: CatalogKind): CacheHint | undefined {
    return this.modern ? this.catalog.hint(kind) : undefined;
  }

  /** What era detection (the server/discover probe) took at the last start, ms; 0 when no probe ran, null before any start. */
  get probeMs(): number | null {
    return this.probeMsValue;
  }

  /**
   * Serve a request the backend asks its client for (sampling, elicitation,
   * roots) as if the backend had sent it on its connection: a modern
   * backend's input request (MRTR) reaches the client exactly as a legacy
   * backend's request does. Without a route for such requests: -32601.
   */
  serveClientRequest(request: IncomingRequest): Promise<JsonObject> | JsonObject {
    const serve = this.options.onServerRequest;
    if (!serve) throw new JsonRpcError(ErrorCode.MethodNotFound, `${request.method} from ${this.label} cannot be passed on: no client route`);
    return serve(request);
  }

  /** The tools it serves now (empty unless ready). */
  get tools(): readonly Tool[] {
    return this.entries("tools") as readonly Tool[];
  }

  /**
   * The capabilities it declared at its last handshake: kept while it is
   * down, so that what the switchboard advertises does not flicker.
   */
  get capabilities(): Readonly<Record<string, unknown>> {
    return this.session?.capabilities ?? this.lastCapabilities;
  }

  /** True while its first start is in progress (started, neither ready nor failed yet). */
  get isStarting(): boolean {
    return this.life.state === "starting" && this.firstStart !== undefined;
  }

  /** What the handshake learned, while connected. */
  get backendSession(): BackendSession | undefined {
    return this.session;
  }

  /** First start: resolves once the backend is ready or its first attempt failed (never rejects). */
  start(): Promise<void> {
    if (this.life.state === "disabled") return Promise.resolve();
    this.firstStart ??= this.attempt();
    return this.firstStart;
  }

  /** Forward a request; fails fast with a clear error when the backend is not ready or dies meanwhile. */
  request(method: string, params: JsonObject | undefined, options: ForwardOptions = {}): Promise<JsonObject> {
    const peer = this.peer;
    if (this.life.state !== "ready" || !peer) return Promise.reject(this.unavailableError(method));
    return this.forwarder.forward(peer, this.connection?.ended, this.modern, method, params, options);
  }

  /** Send a notification (e.g. `notifications/roots/list_changed`) if connected; a backend that is down misses it. */
  notify(method: string, params?: JsonObject): void {
    // The modern era has no client notifications besides cancellation (roots changes are asked for again through MRTR).
    if (this.modern && method !== Method.Cancelled) return;
    if (this.life.state === "ready") void this.peer?.notify(method, params).catch(() => undefined);
  }

  /** Stop for good: stop ladder, pending requests rejected. */
  async stop(): Promise<void> {
    const left = this.life.stop();
    if (left === undefined) return;
    const wasDisabled = left === "disabled";
    const connection = this.connection;
    this.session = undefined;
    this.endModern();
    this.catalog.clear();
    if (wasDisabled || !connection) return;
    const peer = this.peer;
    this.peer = undefined;
    await connection.stop();
    await peer?.close();
  }

  /** Figures for stats and health. */
  stats(): BackendStats {
    return {
      name: this.name,
      state: this.life.state,
      tools: this.entries("tools").length,
      prompts: this.entries("prompts").length,
      resources: this.entries("resources").length,
      resourceTemplates: this.entries("resourceTemplates").length,
      restarts: this.life.restarts,
      pid: this.connection?.pid ?? null,
      protocolVersion: this.session?.protocolVersion ?? null,
      era: this.session?.era ?? null,
      probeMs: this.probeMsValue,
      serverInfo: this.session ? { name: this.session.serverInfo.name, version: this.session.serverInfo.version } : null,
      lastError: this.life.lastError,
      inFlight: this.peer?.pendingCount ?? 0,
      startMs: this.lastStartMs,
      ...(this.connector.status ? { remote: this.connector.status() } : {}),
    };
  }

  private async attempt(): Promise<void> {
    const generation = this.life.begin();
    const spawnedAt = performance.now();
    const { logger } = this.options;
    let connection: Connection;
    try {
      connection = this.connector.connect();
    } catch (error) {
      this.life.fail(generation, `could not be started: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.connection = connection;
    const { peer, watch } = openPeer(connection, {
      label: this.label,
      timeoutMs: this.config.timeoutMs,
      logger,
      progress: this.forwarder.progress,
      onServerRequest: this.options.onServerRequest,
      notification: (method, params, relatedTag) => this.forwardNotification(method, params, relatedTag),
      relist: (peerOf, kinds) => this.relist(generation, peerOf, kinds),
    });
    this.peer = peer;
    // Either ends a ready connection: the connection's end (exit, spawn failure), or its output closing (even if it runs on).
    void connection.ended.then((end) => this.connectionEnded(generation, end));
    peer.onclose = () => this.connectionEnded(generation);
    try {
      await peer.start();
      const config = this.config;
      const handshake = openSession(peer, sessionRequestFor(config, this.label, this.options.clientCapabilities ?? {}, (m) => logger.warn(m)));
      const outcome = await Promise.race([handshake, connection.ended.then((end) => Promise.reject(end.error ?? new Error(end.description)))]);
      if (!this.life.isCurrent(generation)) return;
      // Its output may have closed right after the last answer: that connection is no start.
      if (!peer.isOpen) throw new SwitchboardError("CONNECTION_CLOSED", `${this.label} closed its output right after its handshake`);
      this.session = outcome.session;
      this.probeMsValue = outcome.probeMs;
      this.endModern();
      if (outcome.session.era === "modern") {
        this.modern = openModern(peer, { config, label: this.label, logger, ours: this.options.clientCapabilities ?? {}, capabilities: outcome.session.capabilities });
      }
      this.lastCapabilities = outcome.session.capabilities;
      this.lastStartMs = Math.round(performance.now() - spawnedAt);
      this.life.ready();
      const counts = [...outcome.lists].map(([kind, list]) => `${list.entries.length} ${kind}`).join(", ") || "no catalog";
      const probe = outcome.probeMs > 0 ? `, era probe ${outcome.probeMs} ms` : "";
      logger.info(`${this.label} ready: ${counts}, protocol ${outcome.session.protocolVersion} (${outcome.session.serverInfo.name} ${outcome.session.serverInfo.version})${probe}`);
      this.catalog.install(outcome.lists);
      watch.markReady();
      this.modern?.listener?.start().catch((error: unknown) => logger.warn(`${this.label} could not listen for changes: ${String(error)}`));
    } catch (error) {
      if (!this.life.isCurrent(generation)) return;
      const end = await withinMs(connection.ended, hasCode(error, "CONNECTION_CLOSED") ? EXIT_STATUS_WAIT_MS : 0);
      if (!this.life.isCurrent(generation)) return;
      void connection.stop({ quick: true });
      this.life.fail(generation, startupFailure(error, end, this.config.startupTimeoutMs), undefined, end?.permanent);
    }
  }

  /**
   * The ready connection of `generation` ended: the connection is over (exit,
   * failure), or its output closed, which ends it even if the process runs
   * on. At once its catalog leaves and calls in flight fail (the peer
   * rejects them); then a connection still open is stopped, and the backend
   * is restarted under its restart policy. Startup failures are attempt()'s.
   */
  private connectionEnded(generation: number, end?: ConnectionEnd): void {
    if (!this.life.isReady(generation)) return;
    const connection = this.connection;
    this.session = undefined;
    this.endModern();
    this.life.interrupted(end?.error ? end.description : "its connection ended");
    this.catalog.clear();
    void this.peer?.close();
    void this.life.restartAfterEnd(generation, connection, end);
  }

  /** Fetch and install `kinds` of connection `generation` (dropped if that connection ended meanwhile). */
  private async relist(generation: number, peer: JsonRpcPeer, kinds: readonly CatalogKind[]): Promise<void> {
    const declared = declaredKinds(this.session?.capabilities ?? {});
    const modern = this.modern;
    const send: ListSender = modern?.send ?? ((method, params, options) => peer.request(method, params, options));
    for (const kind of kinds) {
      if (!declared.includes(kind)) continue;
      const listed = await listAll(send, kind, this.label, this.config.timeoutMs, (m) => this.options.logger.warn(m));
      if (!this.life.isReady(generation)) return;
      this.catalog.set(kind, listed);
    }
  }

  /** The modern side of the connection ends with it (its listen is cancelled). */
  private endModern(): void {
    this.modern?.listener?.stop();
    this.modern = undefined;
  }

  private forwardNotification(method: string, params: JsonObject | undefined, relatedTag: unknown): void {
    if (this.events.listenerCount("notification") > 0) this.events.emit("notification", method, params, relatedTag);
    else if (method === Method.LoggingMessage) this.options.logger.info(`[${this.name}] ${JSON.stringify(params?.["data"] ?? params)}`);
  }

  private unavailableError(method: string): SwitchboardError {
    return new SwitchboardError("BACKEND_UNAVAILABLE", `${this.label} ${unavailableReason(this.life.state, this.life.lastError)}; ${method} was not sent`);
  }
}
