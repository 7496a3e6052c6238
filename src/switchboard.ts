import { Backend, type BackendOptions } from "./backend/backend.js";
import type { StopLadder } from "./backend/child-process.js";
import { parseConfig } from "./config/parse-config.js";
import type { ServerConfig, SwitchboardConfig } from "./config/types.js";
import { SessionBackends } from "./gateway/backend-pool.js";
import { Gateway } from "./gateway/gateway.js";
import { clientCapabilitiesFor, type ServerRequestOrigin } from "./gateway/server-requests.js";
import type { LocalToolDefinition, LocalToolHandler } from "./gateway/local-tool.js";
import type {
  LocalPromptDefinition,
  LocalPromptHandler,
  LocalResourceDefinition,
  LocalResourceHandler,
  LocalResourceTemplateDefinition,
} from "./gateway/local-surface.js";
import { newClientContext } from "./gateway/front-session.js";
import { CallContext } from "./gateway/request-context.js";
import type { MrtrOptions } from "./gateway/mrtr-bridge.js";
import { MIN_STATE_SECRET_LENGTH } from "./gateway/request-state.js";
import { Cancellation } from "./jsonrpc/cancellation.js";
import { SwitchboardError } from "./jsonrpc/local-error.js";
import type { JsonObject } from "./jsonrpc/message.js";
import { createLogger, type Logger } from "./log/logger.js";
import { IdleCollector } from "./runtime/idle-collector.js";
import { Fronts, type RunningFront, type RunOptions } from "./switchboard-fronts.js";
import { healthReport, proxyStats, type HealthReport, type ProxyStats } from "./switchboard-stats.js";

export type { BackendHealth, HealthReport, ProxyStats } from "./switchboard-stats.js";
export type { RunningFront, RunOptions } from "./switchboard-fronts.js";
import { setReaperEnabled } from "./runtime/reaper.js";
import { modernOptionsOf } from "./gateway/modern-options.js";
import type { CallToolResult } from "./mcp/types.js";

/** Construction options beside the config. */
export interface SwitchboardOptions {
  /** Where log lines go (default: stderr at the config's level). */
  logger?: Logger;
  /** Stop-ladder delays for backends. */
  stopLadder?: StopLadder;
  /** Environment for `${VAR}` substitution and children (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Run a few full garbage collections when the switchboard goes quiet after
   * a burst of load, so RSS returns near its idle size. Off by default: it
   * turns on V8's `--expose-gc` for the whole process, which is the
   * embedding application's call (the CLI turns it on).
   */
  idleGc?: boolean;
  /** An already validated config; `config` is then ignored. */
  validated?: SwitchboardConfig;
  /**
   * Run the reaper process that kills backends should this process be
   * SIGKILLed (default true). Process-wide: `false` turns it off for every
   * switchboard in the process (for hosts whose execPath is not Node).
   */
  reaper?: boolean;
}

/**
 * One MCP endpoint in front of many MCP servers. Give it the seed's config
 * shape (or a Claude Desktop `mcpServers` object), register local tools,
 * then `start()` the backends and `run()` a front.
 */
export class Switchboard {
  private config: SwitchboardConfig;
  readonly logger: Logger;
  private readonly options: SwitchboardOptions;
  private readonly gateway: Gateway;
  private backends: Backend[] = [];
  private started = false;
  private closed = false;
  private readonly fronts: Fronts;
  private idleCollector: IdleCollector | undefined;

  /** Validate `config` (throws ConfigError listing every problem). */
  constructor(config: unknown = {}, options: SwitchboardOptions = {}) {
    const parsed = options.validated ? { config: options.validated, warnings: [] } : parseConfig(config, options.env ?? process.env);
    this.config = parsed.config;
    this.options = options;
    if (options.reaper === false) setReaperEnabled(false);
    this.logger = options.logger ?? createLogger({ level: parsed.config.logLevel });
    for (const warning of parsed.warnings) this.logger.warn(warning);
    const { namespace, separator, maxNameLength } = this.config.proxy;
    this.gateway = new Gateway({ namespace, separator, ...(maxNameLength === undefined ? {} : { maxNameLength }) }, this.logger, {
      startupWaitMs: this.config.proxy.startupWaitMs,
      pageSize: this.config.proxy.pageSize,
      mrtr: mrtrSettings(this.config, options.env ?? process.env),
      modern: modernOptionsOf(this.config.proxy),
      maxInputRounds: this.config.proxy.maxInputRounds,
      tasks: { maxPerClient: this.config.proxy.maxTasks },
      modernTasks: { maxTasks: this.config.proxy.maxStatelessTasks },
      maxOpenElicitations: this.config.proxy.maxOpenElicitations,
    });
    this.fronts = new Fronts(this.gateway, this.logger, () => this.health());
    this.gateway.sessions = new SessionBackends({
      create: (name, server, extra) => this.newBackend(name, server, extra),
      serverRequests: this.gateway.serverRequests,
      max: this.config.proxy.maxSessionBackends,
      idleMs: this.config.proxy.sessionBackendIdleMs,
      logger: this.logger,
      onNotification: (instance, clientId, method, params, relatedTag) => this.gateway.sessionNotification(instance, clientId, method, params, relatedTag),
      onReady: (instance) => this.gateway.logs.apply(instance),
    });
    this.backends = this.createBackends();
    this.gateway.setBackends(this.backends);
  }

  /** A switchboard from an already validated config (as `loadConfigFile` returns). */
  static fromConfig(config: SwitchboardConfig, options: Omit<SwitchboardOptions, "validated"> = {}): Switchboard {
    return new Switchboard(undefined, { ...options, validated: config });
  }

  /** The validated config in force. */
  get settings(): Readonly<SwitchboardConfig> {
    return this.config;
  }

  /** The routing core (fronts attach to it). */
  get router(): Gateway {
    return this.gateway;
  }

  /** Register a local tool served by the switchboard itself. */
  tool(definition: LocalToolDefinition, handler: LocalToolHandler): this {
    this.gateway.addLocalTool(definition, handler);
    return this;
  }

  /**
   * Register a local prompt served by the switchboard itself: `handler`
   * gets the client's arguments and returns a `GetPromptResult` or a string
   * (one user message).
   */
  prompt(definition: LocalPromptDefinition, handler: LocalPromptHandler): this {
    this.gateway.addLocal("prompts", { ...definition }, handler);
    return this;
  }

  /**
   * Register a local resource served by the switchboard itself: `handler`
   * gets the URI and returns a `ReadResourceResult`, a string (text) or a
   * Uint8Array (blob).
   */
  resource(definition: LocalResourceDefinition, handler: LocalResourceHandler): this {
    this.gateway.addLocal("resources", { ...definition }, handler);
    return this;
  }

  /**
   * Register a local resource template (RFC 6570): reads of any URI it
   * expands to go to `handler`, as for `resource()`.
   */
  resourceTemplate(definition: LocalResourceTemplateDefinition, handler: LocalResourceHandler): this {
    this.gateway.addLocal("resourceTemplates", { ...definition }, handler);
    return this;
  }

  /**
   * Start every backend concurrently; resolves when each is ready or has
   * failed its first attempt (never rejects for a backend's failure). Await
   * it to know the backends are up; `run()` does not wait for it.
   */
  async start(): Promise<void> {
    if (this.closed) throw new SwitchboardError("CLOSED", "this switchboard was closed; create a new one");
    this.started = true;
    await Promise.all(this.backends.map((backend) => backend.start()));
  }

  /**
   * Serve a front: it listens and answers `initialize` at once. Backends not
   * started yet are started in the background; a request that needs the
   * catalog waits for them at most `proxy.startupWait`, and tools of
   * backends that come up later arrive with `notifications/tools/list_changed`.
   */
  async run(options: RunOptions = { transport: "http" }): Promise<RunningFront> {
    if (this.closed) throw new SwitchboardError("CLOSED", "this switchboard was closed; create a new one");
    if (!this.started) void this.start();
    if (this.options.idleGc === true) this.idleCollector ??= new IdleCollector(() => this.gateway.activity);
    return this.fronts.serve(options, this.config);
  }

  /** Health: each backend's state, no secrets. `degraded` when a configured backend is not ready. */
  health(): HealthReport {
    return healthReport(this.backends, this.fronts.sessionCount);
  }

  /** Turn proxying on with a new set of servers (replacing the old set), or with the current one. */
  async enableProxy(config?: unknown): Promise<void> {
    const next = config === undefined ? this.config : parseConfig(config, this.options.env ?? process.env).config;
    const old = this.backends;
    this.config = { ...this.config, proxy: { ...next.proxy, enabled: true }, servers: next.servers };
    if (next.proxy.namespace !== this.gateway.policy.namespace || next.proxy.separator !== this.gateway.policy.separator) {
      this.logger.warn("enableProxy: namespace and separator are fixed at construction; the new values are ignored");
      this.config.proxy.namespace = this.gateway.policy.namespace;
      this.config.proxy.separator = this.gateway.policy.separator;
    }
    this.gateway.startupWaitMs = next.proxy.startupWaitMs;
    this.gateway.pageSize = next.proxy.pageSize;
    this.gateway.modern = { ...this.gateway.modern, ...modernOptionsOf(next.proxy) };
    this.backends = this.createBackends();
    this.gateway.setBackends(this.backends);
    await Promise.all([...old.map((backend) => backend.stop()), this.gateway.sessions?.stopAll()]);
    if (this.started) await Promise.all(this.backends.map((backend) => backend.start()));
  }

  /** Call a tool by its exposed name, as a client would. */
  async callProxiedTool(name: string, args: JsonObject = {}): Promise<CallToolResult> {
    const client = newClientContext("embedded");
    const cancellation = new Cancellation();
    return this.gateway.callTool(name, args, new CallContext(client, 0, cancellation, undefined, async () => undefined, this.gateway.reportListenerError));
  }

  /** The seed's stats: enabled, namespace, servers, tools, plus per-backend detail. */
  getProxyStats(): ProxyStats {
    return proxyStats(this.config.proxy, this.backends, this.gateway.exposedCounts);
  }

  /** Stop every front and backend; no child process remains. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.idleCollector?.stop();
    await this.fronts.closeAll();
    this.gateway.bridge.close();
    await Promise.all([...this.backends.map((backend) => backend.stop()), this.gateway.sessions?.stopAll()]);
  }

  /**
   * One backend per configured server: shared by every client, or, for
   * isolation "session", the process that lists the server's catalog (each
   * client session then gets its own process for its calls).
   */
  private createBackends(): Backend[] {
    if (!this.config.proxy.enabled) return [];
    return Object.entries(this.config.servers).map(([name, server]) => {
      let origin!: ServerRequestOrigin;
      const backend = this.newBackend(name, server, {
        clientCapabilities: clientCapabilitiesFor(server),
        onServerRequest: (request) => this.gateway.serverRequests.serve(origin, request),
      });
      origin = { backend, name, timeoutMs: server.timeoutMs, roots: server.roots, listingOnly: server.isolation === "session" };
      return backend;
    });
  }

  private newBackend(name: string, server: ServerConfig, extra: Pick<BackendOptions, "onServerRequest" | "clientCapabilities">): Backend {
    return new Backend(name, server, {
      logger: this.logger,
      maxMessageBytes: this.config.maxMessageBytes,
      parentEnv: this.options.env ?? process.env,
      ...(this.options.stopLadder ? { stopLadder: this.options.stopLadder } : {}),
      ...extra,
    });
  }
}

/**
 * The MRTR bridge's settings: the config's, the requestState key from
 * `proxy.requestStateKey`, else the environment's SWITCHBOARD_STATE_KEY
 * (replicas behind one load balancer share it), else random per process.
 */
function mrtrSettings(config: SwitchboardConfig, env: NodeJS.ProcessEnv): MrtrOptions {
  const key = config.proxy.mrtr.requestStateKey ?? env["SWITCHBOARD_STATE_KEY"];
  if (key !== undefined && key.length < MIN_STATE_SECRET_LENGTH) {
    throw new SwitchboardError("CONFIG_INVALID", `SWITCHBOARD_STATE_KEY must be at least ${MIN_STATE_SECRET_LENGTH} characters (a long random string shared by every replica)`);
  }
  const settings = { ...config.proxy.mrtr, maxInputRounds: config.proxy.maxInputRounds };
  return key === undefined ? settings : { ...settings, requestStateKey: key };
}
