import type { ChildProcessWithoutNullStreams } from "node:child_process";
import type { StdioServerConfig } from "../config/types.js";
import { SwitchboardError, hasCode } from "../jsonrpc/local-error.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { JsonRpcPeer } from "../jsonrpc/peer.js";
import { Method } from "../mcp/methods.js";
import type { Tool } from "../mcp/types.js";
import { NdjsonStreamTransport } from "../transport/ndjson-stream-transport.js";
import { childEnv } from "./child-env.js";
import { DEFAULT_STOP_LADDER, exited, spawnChild, stopChild, type ChildExit } from "./child-process.js";
import { initializeLegacy, listAllTools, type BackendSession } from "./handshake.js";
import { ProgressTokens } from "./progress-tokens.js";
import { forwardStderr } from "./stderr-lines.js";
import { describeExit, formatMs, unavailableReason, whatNext, withinMs } from "./exit-report.js";
import { restartDelay } from "./restart-policy.js";
import { explainForwardFailure } from "./forward-failure.js";
import { Relister } from "./relister.js";
import { Emitter } from "../events/emitter.js";
import type { BackendEvents, BackendOptions, BackendState, BackendStats, ForwardOptions } from "./backend-types.js";

export type { BackendEvents, BackendOptions, BackendState, BackendStats, CatalogKind, ForwardOptions } from "./backend-types.js";

/** How long to wait for the exit status after the pipes closed, to name it in errors. */
const EXIT_STATUS_WAIT_MS = 250;

/**
 * One backend MCP server in a child process: spawn, handshake, tool catalog,
 * request forwarding, restart with capped exponential backoff, stop ladder.
 */
export class Backend {
  readonly name: string;
  readonly config: StdioServerConfig;
  /** State, catalog and notification events; listeners are isolated from each other and from the backend. */
  readonly events: Emitter<BackendEvents>;
  private readonly options: BackendOptions;
  private readonly label: string;
  private stateValue: BackendState = "starting";
  private child: ChildProcessWithoutNullStreams | undefined;
  private peer: JsonRpcPeer | undefined;
  private session: BackendSession | undefined;
  private exitStatus: Promise<ChildExit> | undefined;
  private toolList: Tool[] = [];
  private progress = new ProgressTokens();
  private generation = 0;
  private restarts = 0;
  private consecutiveFailures = 0;
  private readyAt = 0;
  private lastError: string | null = null;
  private lastStartMs: number | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private firstStart: Promise<void> | undefined;

  constructor(name: string, config: StdioServerConfig, options: BackendOptions) {
    this.name = name;
    this.config = config;
    this.options = options;
    this.label = `backend "${name}"`;
    this.events = new Emitter<BackendEvents>((error, event) =>
      options.logger.error(`a listener of ${this.label} failed on ${event}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    );
    if (!config.enabled) this.stateValue = "disabled";
  }

  /** Current state. */
  get state(): BackendState {
    return this.stateValue;
  }

  /** The tools it serves now (empty unless ready). */
  get tools(): readonly Tool[] {
    return this.toolList;
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
    const exitStatus = this.exitStatus;
    let forwarded = params;
    let token: string | undefined;
    if (options.onProgress) {
      token = this.progress.register(options.onProgress);
      const meta = isJsonObject(params?.["_meta"]) ? params["_meta"] : {};
      forwarded = { ...params, _meta: { ...meta, progressToken: token } };
    }
    // The peer was made with this backend's timeout: options pass through as they are.
    const answered = peer.request(method, forwarded, options).catch((error: unknown) => this.explainFailure(method, error, peer, exitStatus));
    if (token === undefined) return answered;
    const owned = token;
    return answered.finally(() => this.progress.release(owned));
  }

  /**
   * Turn a failed forward into the error callers see: only a closed
   * connection is reported as the backend's exit (or closed output); the
   * rest is named by explainForwardFailure.
   */
  private async explainFailure(method: string, error: unknown, peer: JsonRpcPeer, exitStatus: Promise<ChildExit> | undefined): Promise<never> {
    // A send that failed while the connection stays open is not the backend's end.
    if (hasCode(error, "CONNECTION_CLOSED") && exitStatus && !peer.isOpen) throw await this.exitError(method, exitStatus, error);
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
    const child = this.child;
    const hadTools = this.toolList.length > 0;
    this.toolList = [];
    this.session = undefined;
    if (hadTools) this.events.emit("catalogChanged", "tools");
    if (wasDisabled || !child) return;
    const peer = this.peer;
    this.peer = undefined;
    const done = stopChild(child, this.options.stopLadder ?? DEFAULT_STOP_LADDER);
    await done;
    await peer?.close();
  }

  /** Figures for stats and health. */
  stats(): BackendStats {
    return {
      name: this.name,
      state: this.stateValue,
      tools: this.toolList.length,
      restarts: this.restarts,
      pid: this.child?.pid ?? null,
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
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawnChild({
        command: this.config.command,
        args: this.config.args,
        env: childEnv(this.options.parentEnv ?? process.env, this.config.env, this.config.inheritEnv),
        ...(this.config.cwd === undefined ? {} : { cwd: this.config.cwd }),
      }, { onWarning: (message) => logger.warn(message) });
    } catch (error) {
      this.failAttempt(generation, `could not be spawned: ${String(error)}`);
      return;
    }
    this.child = child;
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
    this.exitStatus = exited(child);
    forwardStderr(child.stderr, (line) => logger.info(`[${this.name}] ${line}`));
    const transport = new NdjsonStreamTransport(child.stdout, child.stdin, { maxMessageBytes: this.options.maxMessageBytes });
    const peer = new JsonRpcPeer(transport, {
      label: this.label,
      requestTimeoutMs: this.config.timeoutMs,
      onAbandon: (id, reason) => void peer.notify(Method.Cancelled, { requestId: id, reason }).catch(() => undefined),
      onWarning: (message) => logger.warn(message),
    });
    this.peer = peer;
    peer.setRequestHandler(Method.Ping, () => ({}));
    const relister = new Relister(
      () => this.relist(generation, peer),
      (error) => this.options.logger.warn(`${this.label} could not re-list its tools: ${String(error)}`),
    );
    peer.setNotificationHandler(Method.ToolsListChanged, () => relister.changed());
    peer.setNotificationHandler(Method.Progress, (params) => {
      if (!this.progress.deliver(params)) logger.debug(`${this.label} sent progress for an unknown token`);
    });
    peer.setNotificationHandler(Method.LoggingMessage, (params) => this.forwardNotification(Method.LoggingMessage, params));
    // Either ends a ready connection: the child's exit, or its output closing (even if it runs on).
    child.once("exit", () => this.connectionEnded(generation, child));
    child.once("error", (error) => this.connectionEnded(generation, child, error));
    peer.onclose = () => this.connectionEnded(generation, child);
    child.stdin.on("error", () => undefined);
    try {
      await peer.start();
      const handshake = (async () => {
        const session = await initializeLegacy(peer, this.label, this.config.startupTimeoutMs);
        const tools = await listAllTools(peer, this.label, this.config.startupTimeoutMs, (m) => logger.warn(m));
        return { session, tools };
      })();
      const outcome = await Promise.race([
        handshake,
        spawnError.then((error) => Promise.reject(error)),
        this.exitStatus.then((exit) => Promise.reject(new Error(describeExit(exit)))),
      ]);
      if (generation !== this.generation) return;
      // Its output may have closed right after the last answer: that connection is no start.
      if (!peer.isOpen) throw new SwitchboardError("CONNECTION_CLOSED", `${this.label} closed its output right after its handshake`);
      this.session = outcome.session;
      this.toolList = outcome.tools;
      this.readyAt = Date.now();
      this.lastStartMs = Math.round(performance.now() - spawnedAt);
      this.lastError = null;
      this.setState("ready");
      logger.info(`${this.label} ready: ${outcome.tools.length} tools, protocol ${outcome.session.protocolVersion} (${outcome.session.serverInfo.name} ${outcome.session.serverInfo.version})`);
      this.events.emit("catalogChanged", "tools");
      relister.markReady();
    } catch (error) {
      if (generation !== this.generation) return;
      const exit = hasCode(error, "CONNECTION_CLOSED") ? await withinMs(this.exitStatus, EXIT_STATUS_WAIT_MS) : undefined;
      if (generation !== this.generation) return;
      const reason = hasCode(error, "REQUEST_TIMEOUT")
        ? `did not finish its handshake within ${this.config.startupTimeoutMs} ms`
        : exit
          ? `${describeExit(exit)} during startup`
          : `failed during startup: ${error instanceof Error ? error.message : String(error)}`;
      if (child.pid !== undefined) void stopChild(child, { stdinGraceMs: 0, termGraceMs: 500 });
      this.failAttempt(generation, reason);
    }
  }

  /**
   * The ready connection of `generation` ended: the child exited, failed, or
   * closed its output, which ends the connection even if the process runs
   * on. At once its tools leave and calls in flight fail (the peer rejects
   * them); then a child still running is stopped with the stop ladder, and
   * the backend is restarted under its restart policy. Startup failures are
   * attempt()'s.
   */
  private connectionEnded(generation: number, child: ChildProcessWithoutNullStreams, error?: Error): void {
    if (generation !== this.generation || this.stateValue !== "ready") return;
    if (Date.now() - this.readyAt >= (this.options.stableAfterMs ?? 10_000)) this.consecutiveFailures = 0;
    const exitStatus = this.exitStatus;
    this.toolList = [];
    this.session = undefined;
    this.lastError = error ? `failed: ${error.message}` : "its connection ended";
    this.setState("restarting");
    this.events.emit("catalogChanged", "tools");
    void this.peer?.close();
    void this.restartAfterEnd(generation, child, exitStatus, error);
  }

  /** Name how the connection ended (the exit status, if it comes), stop a child still running, then restart. */
  private async restartAfterEnd(generation: number, child: ChildProcessWithoutNullStreams, exitStatus: Promise<ChildExit> | undefined, error?: Error): Promise<void> {
    if (error) return this.failAttempt(generation, `failed: ${error.message}`);
    const exit = await withinMs(exitStatus, EXIT_STATUS_WAIT_MS);
    if (generation !== this.generation) return;
    if (exit) return this.failAttempt(generation, describeExit(exit));
    this.options.logger.warn(`${this.label} closed its output but is still running; stopping it`);
    const stopped = stopChild(child, this.options.stopLadder ?? DEFAULT_STOP_LADDER);
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
    // One child at a time: the next one starts only once the last is gone.
    if (stopping) void stopping.then(schedule, schedule);
    else schedule();
  }

  /** Fetch and install the tool list of connection `generation` (dropped if that connection ended meanwhile). */
  private async relist(generation: number, peer: JsonRpcPeer): Promise<void> {
    const tools = await listAllTools(peer, this.label, this.config.timeoutMs, (m) => this.options.logger.warn(m));
    if (generation !== this.generation || this.stateValue !== "ready") return;
    this.toolList = tools;
    this.events.emit("catalogChanged", "tools");
  }

  private forwardNotification(method: string, params: JsonObject | undefined): void {
    if (this.events.listenerCount("notification") > 0) this.events.emit("notification", method, params);
    else if (method === Method.LoggingMessage) this.options.logger.info(`[${this.name}] ${JSON.stringify(params?.["data"] ?? params)}`);
  }

  private async exitError(method: string, exitStatus: Promise<ChildExit>, cause: unknown): Promise<SwitchboardError> {
    const exit = await withinMs(exitStatus, EXIT_STATUS_WAIT_MS);
    const what = exit ? describeExit(exit) : "closed its output";
    return new SwitchboardError("BACKEND_EXITED", `${this.label} ${what} while handling ${method}; ${whatNext(this.stateValue)}`, { cause });
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
