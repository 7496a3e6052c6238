import type { ServerConfig } from "../config/types.js";
import { SwitchboardError, hasCode } from "../jsonrpc/local-error.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { JsonRpcPeer } from "../jsonrpc/peer.js";
import { CATALOG_KINDS, type CatalogKind } from "../mcp/catalog-kinds.js";
import { Method } from "../mcp/methods.js";
import type { Tool } from "../mcp/types.js";
import { Emitter } from "../events/emitter.js";
import { declaredKinds, listAll } from "./catalog-listing.js";
import { watchCatalog } from "./catalog-watch.js";
import type { Connection, ConnectionEnd, Connector } from "./connector.js";
import { connectorFor } from "./connectors.js";
import { formatMs, unavailableReason, whatNext, withinMs } from "./exit-report.js";
import { explainForwardFailure } from "./forward-failure.js";
import { initializeLegacy, type BackendSession } from "./handshake.js";
import { ProgressTokens } from "./progress-tokens.js";
import { restartDelay } from "./restart-policy.js";
import type { BackendEvents, BackendOptions, BackendState, BackendStats, ForwardOptions } from "./backend-types.js";

export type { BackendEvents, BackendOptions, BackendState, BackendStats, CatalogKind, ForwardOptions } from "./backend-types.js";

/** How long to wait for the exit status after the pipes closed, to name it in errors. */
const EXIT_STATUS_WAIT_MS = 250;

const EMPTY: readonly JsonObject[] = [];

/**
 * One backend MCP server over a connector: handshake, the catalogs its
 * capabilities declare (tools, prompts, resources, resource templates),
 * request forwarding, restart with capped exponential backoff, stop. It
 * never knows which connector it has (a child process today).
 */
export class Backend {
  readonly name: string;
  readonly config: ServerConfig;
  /** State, catalog and notification events; listeners are isolated from each other and from the backend. */
  readonly events: Emitter<BackendEvents>;
  private readonly options: BackendOptions;
  private readonly connector: Connector;
  private readonly label: string;
  private stateValue: BackendState = "starting";
  private connection: Connection | undefined;
  private peer: JsonRpcPeer | undefined;
  private session: BackendSession | undefined;
  private lastCapabilities: Record<string, unknown> = {};
  private catalog = new Map<CatalogKind, readonly JsonObject[]>();
  private progress = new ProgressTokens();
  private generation = 0;
  private restarts = 0;
  private consecutiveFailures = 0;
  private readyAt = 0;
  private lastError: string | null = null;
  private lastStartMs: number | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private firstStart: Promise<void> | undefined;

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
    if (!config.enabled) this.stateValue = "disabled";
  }

  /** Current state. */
  get state(): BackendState {
    return this.stateValue;
  }

  /** False for `prefix: false` servers: names and URIs are exposed as they are. */
  get prefixed(): boolean {
    return this.config.prefix;
  }

  /** The entries of `kind` it serves now (empty unless ready). */
  entries(kind: CatalogKind): readonly JsonObject[] {
    return this.catalog.get(kind) ?? EMPTY;
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
    return this.stateValue === "starting" && this.firstStart !== undefined;
  }

  /** What the handshake learned, while connected. */
  get backendSession(): BackendSession | undefined {
    return this.session;
  }

  /** First start: resolves once the backend is ready or its first attempt failed (never rejects). */
  start(): Promise<void> {
    if (this.stateValue === "disabled") return Promise.resolve();
    this.firstStart ??= this.attempt();
    return this.firstStart;
  }

  /**
   * Forward a request; fails fast with a clear error when the backend is not
   * ready or dies meanwhile. (Promise chains rather than an async function:
   * this is the hot path, and an async frame costs an allocation per call.)
   */
  request(method: string, params: JsonObject | undefined, options: ForwardOptions = {}): Promise<JsonObject> {
    const peer = this.peer;
    if (this.stateValue !== "ready" || !peer) return Promise.reject(this.unavailableError(method));
    const ended = this.connection?.ended;
    let forwarded = params;
    let token: string | undefined;
    if (options.onProgress) {
      token = this.progress.register(options.onProgress);
      const meta = isJsonObject(params?.["_meta"]) ? params["_meta"] : {};
      forwarded = { ...params, _meta: { ...meta, progressToken: token } };
    }
    // The peer was made with this backend's timeout: options pass through as they are.
    const answered = peer.request(method, forwarded, options).catch((error: unknown) => this.explainFailure(method, error, peer, ended));
    if (token === undefined) return answered;
    const owned = token;
    return answered.finally(() => this.progress.release(owned));
  }

  /**
   * Turn a failed forward into the error callers see: only a closed
   * connection is reported as the backend's exit (or closed output); the
   * rest is named by explainForwardFailure.
   */
  private async explainFailure(method: string, error: unknown, peer: JsonRpcPeer, ended: Promise<ConnectionEnd> | undefined): Promise<never> {
    // A send that failed while the connection stays open is not the backend's end.
    if (hasCode(error, "CONNECTION_CLOSED") && ended && !peer.isOpen) {
      const end = await withinMs(ended, EXIT_STATUS_WAIT_MS);
      const what = end ? end.description : "closed its output";
      throw new SwitchboardError("BACKEND_EXITED", `${this.label} ${what} while handling ${method}; ${whatNext(this.stateValue)}`, { cause: error });
    }
    throw explainForwardFailure(this.label, method, error, this.config.timeoutMs);
  }

  /** Stop for good: stop ladder, pending requests rejected. */
  async stop(): Promise<void> {
    if (this.stateValue === "stopped") return;
    const wasDisabled = this.stateValue === "disabled";
    this.setState("stopped");
    this.generation++;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const connection = this.connection;
    this.session = undefined;
    this.clearCatalog();
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
      state: this.stateValue,
      tools: this.entries("tools").length,
      prompts: this.entries("prompts").length,
      resources: this.entries("resources").length,
      resourceTemplates: this.entries("resourceTemplates").length,
      restarts: this.restarts,
      pid: this.connection?.pid ?? null,
      protocolVersion: this.session?.protocolVersion ?? null,
      serverInfo: this.session ? { name: this.session.serverInfo.name, version: this.session.serverInfo.version } : null,
      lastError: this.lastError,
      inFlight: this.peer?.pendingCount ?? 0,
      startMs: this.lastStartMs,
    };
  }

  private async attempt(): Promise<void> {
    const generation = ++this.generation;
    const spawnedAt = performance.now();
    this.setState(this.restarts === 0 && this.consecutiveFailures === 0 ? "starting" : "restarting");
    const { logger } = this.options;
    let connection: Connection;
    try {
      connection = this.connector.connect();
    } catch (error) {
      this.failAttempt(generation, `could not be spawned: ${String(error)}`);
      return;
    }
    this.connection = connection;
    const peer = new JsonRpcPeer(connection.transport, {
      label: this.label,
      requestTimeoutMs: this.config.timeoutMs,
      onAbandon: (id, reason) => void peer.notify(Method.Cancelled, { requestId: id, reason }).catch(() => undefined),
      onWarning: (message) => logger.warn(message),
    });
    this.peer = peer;
    this.serveBackendMessages(peer);
    const watch = watchCatalog(
      peer,
      (kinds) => this.relist(generation, peer, kinds),
      (error) => logger.warn(`${this.label} could not re-list its catalog: ${String(error)}`),
    );
    // Either ends a ready connection: the connection's end (exit, spawn failure), or its output closing (even if it runs on).
    void connection.ended.then((end) => this.connectionEnded(generation, end));
    peer.onclose = () => this.connectionEnded(generation);
    try {
      await peer.start();
      const timeout = this.config.startupTimeoutMs;
      const handshake = (async () => {
        const session = await initializeLegacy(peer, this.label, timeout, this.options.clientCapabilities ?? {});
        const lists = new Map<CatalogKind, JsonObject[]>();
        for (const kind of declaredKinds(session.capabilities)) lists.set(kind, await listAll(peer, kind, this.label, timeout, (m) => logger.warn(m)));
        return { session, lists };
      })();
      const outcome = await Promise.race([handshake, connection.ended.then((end) => Promise.reject(end.error ?? new Error(end.description)))]);
      if (generation !== this.generation) return;
      // Its output may have closed right after the last answer: that connection is no start.
      if (!peer.isOpen) throw new SwitchboardError("CONNECTION_CLOSED", `${this.label} closed its output right after its handshake`);
      this.session = outcome.session;
      this.lastCapabilities = outcome.session.capabilities;
      this.catalog = outcome.lists;
      this.readyAt = Date.now();
      this.lastStartMs = Math.round(performance.now() - spawnedAt);
      this.lastError = null;
      this.setState("ready");
      const counts = [...outcome.lists].map(([kind, list]) => `${list.length} ${kind}`).join(", ") || "no catalog";
      logger.info(`${this.label} ready: ${counts}, protocol ${outcome.session.protocolVersion} (${outcome.session.serverInfo.name} ${outcome.session.serverInfo.version})`);
      for (const kind of CATALOG_KINDS) this.events.emit("catalogChanged", kind);
      watch.markReady();
    } catch (error) {
      if (generation !== this.generation) return;
      const end = hasCode(error, "CONNECTION_CLOSED") ? await withinMs(connection.ended, EXIT_STATUS_WAIT_MS) : undefined;
      if (generation !== this.generation) return;
      const reason = hasCode(error, "REQUEST_TIMEOUT")
        ? `did not finish its handshake within ${this.config.startupTimeoutMs} ms`
        : end
          ? `${end.description} during startup`
          : `failed during startup: ${error instanceof Error ? error.message : String(error)}`;
      void connection.stop({ quick: true });
      this.failAttempt(generation, reason);
    }
  }

  /** What the backend may send us besides answers and list changes: ping, progress, server requests, notifications. */
  private serveBackendMessages(peer: JsonRpcPeer): void {
    peer.setRequestHandler(Method.Ping, () => ({}));
    if (this.options.onServerRequest) peer.setFallbackRequestHandler(this.options.onServerRequest);
    peer.setNotificationHandler(Method.Progress, (params) => {
      if (!this.progress.deliver(params)) this.options.logger.debug(`${this.label} sent progress for an unknown token`);
    });
    peer.setNotificationHandler(Method.LoggingMessage, (params) => this.forwardNotification(Method.LoggingMessage, params));
    peer.setNotificationHandler(Method.ResourcesUpdated, (params) => this.forwardNotification(Method.ResourcesUpdated, params));
  }

  /**
   * The ready connection of `generation` ended: the connection is over (exit,
   * failure), or its output closed, which ends it even if the process runs
   * on. At once its catalog leaves and calls in flight fail (the peer
   * rejects them); then a connection still open is stopped, and the backend
   * is restarted under its restart policy. Startup failures are attempt()'s.
   */
  private connectionEnded(generation: number, end?: ConnectionEnd): void {
    if (generation !== this.generation || this.stateValue !== "ready") return;
    if (Date.now() - this.readyAt >= (this.options.stableAfterMs ?? 10_000)) this.consecutiveFailures = 0;
    const connection = this.connection;
    this.session = undefined;
    this.lastError = end?.error ? end.description : "its connection ended";
    this.setState("restarting");
    this.clearCatalog();
    void this.peer?.close();
    void this.restartAfterEnd(generation, connection, end);
  }

  /** Name how the connection ended (if that comes), stop a connection still open, then restart. */
  private async restartAfterEnd(generation: number, connection: Connection | undefined, end?: ConnectionEnd): Promise<void> {
    const known = end ?? (await withinMs(connection?.ended, EXIT_STATUS_WAIT_MS));
    if (generation !== this.generation) return;
    if (known) return this.failAttempt(generation, known.description);
    this.options.logger.warn(`${this.label} closed its output but is still running; stopping it`);
    const stopped = connection?.stop();
    this.failAttempt(generation, "closed its output but kept running (it was stopped)", stopped);
  }

  /** Record a failed attempt or connection, then restart after the policy's delay (counted from `stopping`, if given) or give up. */
  private failAttempt(generation: number, reason: string, stopping?: Promise<unknown>): void {
    if (generation !== this.generation) return;
    const failed = ++this.generation;
    this.consecutiveFailures++;
    this.lastError = reason;
    const { maxAttempts } = this.config.restart;
    const delay = restartDelay(this.config.restart, this.consecutiveFailures);
    if (delay === undefined) {
      this.setState("failed");
      this.options.logger.error(
        `${this.label} ${reason}; giving up after ${maxAttempts} restart attempts (fix the server or its config, then restart the switchboard)`,
      );
      return;
    }
    this.setState("restarting");
    this.options.logger.warn(`${this.label} ${reason}; restarting in ${formatMs(delay)} (attempt ${this.consecutiveFailures} of ${maxAttempts})`);
    const schedule = (): void => {
      if (failed !== this.generation) return; // stopped meanwhile
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        this.restarts++;
        void this.attempt();
      }, delay);
      this.restartTimer.unref?.();
    };
    // One connection at a time: the next one starts only once the last is gone.
    if (stopping) void stopping.then(schedule, schedule);
    else schedule();
  }

  /** Fetch and install `kinds` of connection `generation` (dropped if that connection ended meanwhile). */
  private async relist(generation: number, peer: JsonRpcPeer, kinds: readonly CatalogKind[]): Promise<void> {
    const declared = declaredKinds(this.session?.capabilities ?? {});
    for (const kind of kinds) {
      if (!declared.includes(kind)) continue;
      const list = await listAll(peer, kind, this.label, this.config.timeoutMs, (m) => this.options.logger.warn(m));
      if (generation !== this.generation || this.stateValue !== "ready") return;
      this.catalog.set(kind, list);
      this.events.emit("catalogChanged", kind);
    }
  }

  /** Empty every catalog, telling listeners which kinds changed. */
  private clearCatalog(): void {
    const had = [...this.catalog].filter(([, list]) => list.length > 0).map(([kind]) => kind);
    this.catalog = new Map();
    for (const kind of had) this.events.emit("catalogChanged", kind);
  }

  private forwardNotification(method: string, params: JsonObject | undefined): void {
    if (this.events.listenerCount("notification") > 0) this.events.emit("notification", method, params);
    else if (method === Method.LoggingMessage) this.options.logger.info(`[${this.name}] ${JSON.stringify(params?.["data"] ?? params)}`);
  }

  private unavailableError(method: string): SwitchboardError {
    return new SwitchboardError("BACKEND_UNAVAILABLE", `${this.label} ${unavailableReason(this.stateValue, this.lastError)}; ${method} was not sent`);
  }

  private setState(state: BackendState): void {
    const previous = this.stateValue;
    if (state === previous) return;
    this.stateValue = state;
    this.events.emit("stateChanged", state, previous);
  }
}
