import type { Backend, BackendOptions } from "../backend/backend.js";
import type { ServerConfig } from "../config/types.js";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import type { JsonObject } from "../jsonrpc/message.js";
import type { Logger } from "../log/logger.js";
import type { ClientContext } from "./request-context.js";
import { clientCapabilitiesFor, type ServerRequestOrigin, type ServerRequests } from "./server-requests.js";

/** Makes a backend for server `name` (how the switchboard builds every backend), with the options that tie it to its clients. */
export type BackendFactory = (name: string, config: ServerConfig, extra: Pick<BackendOptions, "onServerRequest" | "clientCapabilities">) => Backend;

/** How session processes are made, bounded and watched. */
export interface SessionBackendsOptions {
  create: BackendFactory;
  serverRequests: ServerRequests;
  /** Processes running at once, over all servers (`proxy.maxSessionBackends`). */
  max: number;
  /** A process unused this long is stopped (`proxy.sessionBackendIdleTimeout`). */
  idleMs: number;
  logger: Logger;
  /** A session process's notification, for its one client (logs, elicitation completions). */
  onNotification: (instance: Backend, clientId: string, method: string, params: JsonObject | undefined, relatedTag: unknown) => void;
  /** A session process became ready (the log level is applied to it). */
  onReady: (instance: Backend) => void;
}

interface SessionBackend {
  readonly backend: Backend;
  readonly clientId: string;
  /** Calls routed to it and not yet answered. */
  active: number;
  lastUsed: number;
  readonly unwatch: Array<() => void>;
}

/** One use of a session process: the backend, and `done()` once the call is over. */
export interface SessionUse {
  readonly backend: Backend;
  done(): void;
}

/** What releasing a client without processes resolves to (shared). */
const NOTHING_RELEASED: Promise<void> = Promise.resolve();

/**
 * The backend processes of session-isolated servers (`isolation:
 * "session"`): one per (client session, server), made on the session's
 * first call routed to that server, given that client's capabilities and
 * roots, stopped when the session ends or after `idleMs` without a call,
 * and at most `max` at once (beyond it a call is refused with
 * SESSION_BACKEND_LIMIT). The server's catalog comes from its shared
 * listing process, not from these.
 */
export class SessionBackends {
  private readonly byClient = new Map<string, Map<string, SessionBackend>>();
  private count = 0;
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: SessionBackendsOptions) {}

  /** Session processes alive now. */
  get size(): number {
    return this.count;
  }

  /** The session process of `template`'s server serving `client`, started on first use; call `done()` when the call is over. */
  use(template: Backend, client: ClientContext): SessionUse {
    let mine = this.byClient.get(client.id);
    let entry = mine?.get(template.name);
    if (entry && (entry.backend.state === "failed" || entry.backend.state === "stopped")) {
      this.remove(entry);
      entry = undefined;
    }
    if (!entry) {
      entry = this.create(template, client);
      if (!mine) this.byClient.set(client.id, (mine = new Map()));
      mine.set(template.name, entry);
    }
    const used = entry;
    used.active++;
    used.lastUsed = Date.now();
    return {
      backend: used.backend,
      done: () => {
        used.active--;
        used.lastUsed = Date.now();
      },
    };
  }

  /** Tell every process of `clientId` (e.g. `notifications/roots/list_changed`). */
  notifyClient(clientId: string, method: string, params?: JsonObject): void {
    for (const entry of this.byClient.get(clientId)?.values() ?? []) entry.backend.notify(method, params);
  }

  /** The client's session ended: its processes stop. Not an async function: every modern request's end asks, and almost none has a process. */
  releaseClient(clientId: string): Promise<void> {
    const mine = this.byClient.get(clientId);
    if (!mine) return NOTHING_RELEASED;
    return Promise.all([...mine.values()].map((entry) => this.remove(entry))).then(() => undefined);
  }

  /** Stop every session process. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.byClient.keys()].map((clientId) => this.releaseClient(clientId)));
  }

  private create(template: Backend, client: ClientContext): SessionBackend {
    const { max, logger } = this.options;
    if (this.count >= max) {
      throw new SwitchboardError(
        "SESSION_BACKEND_LIMIT",
        `backend "${template.name}" was not started for this session: ${this.count} per-session backend processes already run (proxy.maxSessionBackends is ${max}); end idle sessions or raise the limit`,
      );
    }
    let origin!: ServerRequestOrigin;
    const backend = this.options.create(template.name, template.config, {
      clientCapabilities: clientCapabilitiesFor(template.config, client.capabilities),
      onServerRequest: (request) => this.options.serverRequests.serve(origin, request),
    });
    origin = { backend, name: template.name, timeoutMs: template.config.timeoutMs, clientId: client.id };
    const entry: SessionBackend = {
      backend,
      clientId: client.id,
      active: 0,
      lastUsed: Date.now(),
      unwatch: [
        backend.events.on("notification", (method, params, relatedTag) => this.options.onNotification(backend, client.id, method, params, relatedTag)),
        backend.events.on("stateChanged", (state) => {
          if (state === "ready") this.options.onReady(backend);
        }),
      ],
    };
    this.count++;
    logger.info(`backend "${template.name}": starting a process for session ${client.id.slice(0, 8)} (${this.count} of at most ${max})`);
    void backend.start();
    this.sweeper ??= this.startSweeper();
    return entry;
  }

  private remove(entry: SessionBackend): Promise<void> {
    const mine = this.byClient.get(entry.clientId);
    if (mine?.get(entry.backend.name) !== entry) return Promise.resolve();
    mine.delete(entry.backend.name);
    if (mine.size === 0) this.byClient.delete(entry.clientId);
    this.count--;
    for (const unwatch of entry.unwatch) unwatch();
    if (this.count === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
    return entry.backend.stop();
  }

  private startSweeper(): ReturnType<typeof setInterval> {
    const { idleMs, logger } = this.options;
    const timer = setInterval(
      () => {
        const cutoff = Date.now() - idleMs;
        for (const mine of [...this.byClient.values()]) {
          for (const entry of [...mine.values()]) {
            if (entry.active > 0 || entry.lastUsed > cutoff) continue;
            logger.info(`backend "${entry.backend.name}": the process of session ${entry.clientId.slice(0, 8)} was unused for ${idleMs} ms; stopped (its next call starts another)`);
            void this.remove(entry);
          }
        }
      },
      Math.max(250, Math.min(idleMs / 4, 60_000)),
    );
    timer.unref();
    return timer;
  }
}
