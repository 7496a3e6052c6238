import type { RootConfig, ServerConfig } from "../config/types.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import type { JsonObject, JsonRpcId } from "../jsonrpc/message.js";
import type { IncomingRequest } from "../jsonrpc/peer.js";
import type { Logger } from "../log/logger.js";
import { capabilitiesForBackend, missingClientCapability, type ClientFeaturePolicy } from "../mcp/capabilities.js";
import { McpErrorCode } from "../mcp/error-codes.js";
import { Method } from "../mcp/methods.js";
import { LATEST_LEGACY_VERSION } from "../mcp/versions.js";
import { SlotMap } from "../jsonrpc/slot-map.js";
import { Roster, type RosterMember } from "../jsonrpc/roster.js";
import type { ClientSink, RequestContext } from "./request-context.js";

/** Where a backend's request comes from: which backend process, and whom it serves. */
export interface ServerRequestOrigin {
  /** The backend instance that sent it (the key its calls in flight are tracked under). */
  readonly backend: object;
  /** Its server's name, for messages. */
  readonly name: string;
  /** How long a client gets to answer (the server's `timeout`). */
  readonly timeoutMs: number;
  /** The one client it serves (isolation "session"); undefined for a process shared by every client. */
  readonly clientId?: string;
  /** The listing instance of a session-isolated server: it serves no client. */
  readonly listingOnly?: boolean;
  /** The config's roots, answered to a process that serves no single client. */
  readonly roots?: readonly RootConfig[] | undefined;
}

/** Requests a backend may send that go on to a client. */
const TO_CLIENT: ReadonlySet<string> = new Set([Method.SamplingCreateMessage, Method.ElicitationCreate, Method.RootsList]);

/** URL-mode elicitations remembered for their completion notification by default; the oldest are forgotten beyond the bound. */
export const DEFAULT_MAX_OPEN_ELICITATIONS = 1024;

/**
 * Clients' requests in flight on one backend instance, by client id: their
 * ids on the client's connection. A SlotMap: a modern client (each MRTR
 * call has one) comes and goes with its one request.
 */
type ClientCalls = SlotMap<string, JsonRpcId[]>;

/** A call whose client has no other request anywhere (an MRTR bridged call's own client): tracked without a key. */
export type SoleCall = RequestContext & RosterMember;

/**
 * What is in flight on one backend instance: clients' requests by client
 * id, and sole calls (each its own client) in a Roster, so that a bridged
 * call — one per modern tools/call, prompts/get or resources/read — adds no
 * key to a Map.
 */
interface InFlight {
  readonly clients: ClientCalls;
  readonly sole: Roster<SoleCall>;
}

/**
 * Server-to-client requests: a backend's `sampling/createMessage`,
 * `elicitation/create` and `roots/list` go to the one client whose request
 * caused them, as a new request of ours (our id on the client's connection;
 * the client's answer goes back under the backend's id). `ping` never gets
 * here (the backend peer answers it).
 *
 * Which client: a session-isolated backend serves one. A request that
 * arrived on the response stream of one of our forwarded requests (Streamable
 * HTTP) belongs to the call that forwarded it: its client is the target, and
 * that call is the `relatedRequestId`, so over HTTP the request travels on
 * that call's POST stream, however many clients share the backend. Without
 * that link (stdio, a server's GET stream), a shared backend is known to
 * serve the clients that have requests in flight on it (tracked by the
 * routed forward); exactly one is the target, none or several is a clear
 * error to the backend (never a guess) and a warning in the log; when that
 * client has exactly one request in flight there, it is the
 * `relatedRequestId`. A client lacking the capability is refused at once; the client's
 * silence times out after the server's `timeout`; the backend cancelling
 * its request cancels ours on the client.
 */
export class ServerRequests {
  private readonly inFlight = new WeakMap<object, InFlight>();
  private readonly elicitations = new Map<string, string>();

  constructor(
    private readonly sinkOf: (clientId: string) => ClientSink | undefined,
    private readonly logger: Logger,
    private readonly maxOpenElicitations = DEFAULT_MAX_OPEN_ELICITATIONS,
  ) {
    if (!(Number.isSafeInteger(maxOpenElicitations) && maxOpenElicitations > 0)) throw new RangeError(`maxOpenElicitations must be a positive integer, got ${maxOpenElicitations}`);
  }

  /** `context`'s request is in flight on `backend` until the returned function is called. */
  track(backend: object, context: RequestContext): () => void {
    this.enter(backend, context);
    return () => this.leave(backend, context);
  }

  /** `context`'s request is in flight on `backend` until leave() is called with the same arguments (track() without a closure). */
  enter(backend: object, context: RequestContext): void {
    const calls = this.on(backend).clients;
    const clientId = context.client.id;
    const ids = calls.get(clientId);
    if (ids) ids.push(context.requestId);
    else calls.set(clientId, [context.requestId]);
  }

  /** `context`'s request entered on `backend` is no longer in flight there (once per enter). */
  leave(backend: object, context: RequestContext): void {
    const calls = this.inFlight.get(backend)?.clients;
    const clientId = context.client.id;
    const list = calls?.get(clientId);
    if (!calls || !list) return;
    const at = list.indexOf(context.requestId);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) calls.delete(clientId);
  }

  /** Like enter(), for a call whose client makes no other request (its client id is not tracked otherwise); ended by leaveSole(). */
  enterSole(backend: object, call: SoleCall): void {
    this.on(backend).sole.add(call);
  }

  /** `call` entered with enterSole() is no longer in flight on `backend`. */
  leaveSole(backend: object, call: SoleCall): void {
    this.inFlight.get(backend)?.sole.delete(call);
  }

  /** Requests in flight on `backend`, over all clients (what can tie an unlinked message of it to one request). */
  callsInFlight(backend: object): number {
    const tracked = this.inFlight.get(backend);
    if (tracked === undefined) return 0;
    let count = tracked.sole.size;
    for (const ids of tracked.clients.valuesInOrder()) count += ids.length;
    return count;
  }

  private on(backend: object): InFlight {
    let tracked = this.inFlight.get(backend);
    if (!tracked) this.inFlight.set(backend, (tracked = { clients: new SlotMap(), sole: new Roster() }));
    return tracked;
  }

  /** Serve one request a backend sent (its handler on the backend's peer). */
  serve(origin: ServerRequestOrigin, request: IncomingRequest): Promise<JsonObject> | JsonObject {
    const { method } = request;
    if (!TO_CLIENT.has(method)) {
      throw new JsonRpcError(
        ErrorCode.MethodNotFound,
        `Method not found: ${method} (the switchboard passes sampling/createMessage, elicitation/create and roots/list on to its clients, and answers ping)`,
      );
    }
    if (method === Method.RootsList && origin.clientId === undefined) return this.configRoots(origin);
    const caller = callerOf(request.relatedTag);
    const sink = this.targetOf(origin, method, caller);
    const missing = missingClientCapability(sink.client.capabilities, method, request.params);
    if (missing !== undefined) {
      sink.refused?.(method, request.params, missing);
      throw new JsonRpcError(ErrorCode.MethodNotFound, `${method} from backend "${origin.name}" was not passed on: ${missing}`, { reason: "CLIENT_CAPABILITY" });
    }
    const related = caller?.client.id === sink.client.id ? caller.requestId : this.singleCall(origin.backend, sink.client.id);
    this.rememberElicitation(method, request.params, sink.client.id);
    const options = { timeoutMs: origin.timeoutMs, cancellation: request.cancellation, ...(related === undefined ? {} : { relatedRequestId: related }) };
    return sink.request(method, request.params, options).catch((error: unknown) => {
      throw clientFailure(error, method, origin);
    });
  }

  /** A backend's `notifications/elicitation/complete`: to the client its URL-mode elicitation went to. */
  elicitationComplete(params: JsonObject | undefined): void {
    const id = params?.["elicitationId"];
    if (typeof id !== "string") return;
    const clientId = this.elicitations.get(id);
    if (clientId === undefined) return;
    this.elicitations.delete(id);
    this.sinkOf(clientId)?.notify(Method.ElicitationComplete, params);
  }

  /** `roots/list` of a process that serves no single client: the config's roots, never a client's. */
  private configRoots(origin: ServerRequestOrigin): JsonObject {
    if (origin.roots !== undefined) return { roots: origin.roots.map((root) => ({ ...root })) };
    if (origin.listingOnly) return { roots: [] };
    throw new JsonRpcError(
      ErrorCode.MethodNotFound,
      `roots/list is not available to backend "${origin.name}": it is shared by every client, so no client's roots are handed to it; set servers.${origin.name}.roots, or isolation "session" to give each session's process its own client's roots`,
    );
  }

  /**
   * The client a request of `origin` goes to, or a clear error (logged for a
   * shared backend: it means a misfit config). `caller`: the call on whose
   * response stream it arrived, when the connection tells.
   */
  private targetOf(origin: ServerRequestOrigin, method: string, caller: RequestContext | undefined): ClientSink {
    const label = `backend "${origin.name}"`;
    if (origin.listingOnly) {
      throw new JsonRpcError(ErrorCode.ServerError, `${method} was not passed on: this process of ${label} lists its catalog and serves no client (each session has its own process)`, {
        reason: "NO_CLIENT",
      });
    }
    if (origin.clientId !== undefined) {
      const sink = this.sinkOf(origin.clientId);
      if (!sink) throw new JsonRpcError(ErrorCode.ServerError, `${method} was not passed on: the client session of ${label} has ended`, { reason: "NO_CLIENT" });
      return sink;
    }
    if (caller) {
      const sink = this.sinkOf(caller.client.id);
      if (!sink) {
        throw new JsonRpcError(ErrorCode.ServerError, `${method} was not passed on: the client whose call it belongs to on ${label} cannot receive requests`, {
          reason: "NO_CLIENT",
        });
      }
      return sink;
    }
    const tracked = this.inFlight.get(origin.backend);
    // Each sole call is a client of its own.
    const count = tracked === undefined ? 0 : tracked.clients.size + tracked.sole.size;
    const advice = `set servers.${origin.name}.isolation to "session" for servers that sample, elicit or read roots`;
    if (count !== 1) {
      const why =
        count === 0
          ? `no client has a request in flight on ${label}, so nothing ties it to a client`
          : `${count} clients have requests in flight on the shared ${label}, so it cannot be tied to one of them (the switchboard never guesses)`;
      this.logger.warn(`${label} sent ${method}, refused: ${why}; ${advice}`);
      throw new JsonRpcError(ErrorCode.ServerError, `${method} was not passed on: ${why}; ${advice}`, {
        reason: count === 0 ? "NO_CLIENT" : "AMBIGUOUS_CLIENT",
      });
    }
    const only = tracked?.clients.size === 1 ? [...tracked.clients][0]?.[0] : tracked?.sole.any()?.client.id;
    const sink = only === undefined ? undefined : this.sinkOf(only);
    if (!sink) {
      throw new JsonRpcError(ErrorCode.ServerError, `${method} was not passed on: the client with a request in flight on ${label} cannot receive requests`, {
        reason: "NO_CLIENT",
      });
    }
    return sink;
  }

  /** The id of the client's one request in flight on `backend`, if it has exactly one. */
  private singleCall(backend: object, clientId: string): JsonRpcId | undefined {
    const tracked = this.inFlight.get(backend);
    const ids = tracked?.clients.get(clientId);
    if (ids !== undefined) return ids.length === 1 ? ids[0] : undefined;
    return tracked?.sole.find((call) => call.client.id === clientId)?.requestId;
  }

  private rememberElicitation(method: string, params: JsonObject | undefined, clientId: string): void {
    const id = params?.["elicitationId"];
    if (method !== Method.ElicitationCreate || params?.["mode"] !== "url" || typeof id !== "string") return;
    if (this.elicitations.size >= this.maxOpenElicitations) this.elicitations.delete(this.elicitations.keys().next().value as string);
    this.elicitations.set(id, clientId);
  }
}

/**
 * The call a backend's request belongs to, from the tag of our request on
 * whose response stream it arrived: forward() tags every backend request
 * with its RequestContext; anything else (no link, an untagged request of
 * our own) is no caller.
 */
export function callerOf(tag: unknown): RequestContext | undefined {
  if (typeof tag !== "object" || tag === null) return undefined;
  const { client, requestId } = tag as Partial<RequestContext>;
  if (typeof client?.id !== "string" || (typeof requestId !== "string" && typeof requestId !== "number")) return undefined;
  return tag as RequestContext;
}

/** What the backend is answered when the client's answer did not come: the client's own error as it is, else why. */
function clientFailure(error: unknown, method: string, origin: ServerRequestOrigin): JsonRpcError {
  if (error instanceof JsonRpcError) return error;
  if (error instanceof SwitchboardError && error.code === "REQUEST_TIMEOUT") {
    return new JsonRpcError(McpErrorCode.RequestTimeout, `the client did not answer ${method} within ${origin.timeoutMs} ms (servers.${origin.name}.timeout)`);
  }
  const why = error instanceof Error ? error.message : String(error);
  return new JsonRpcError(ErrorCode.ServerError, `${method} could not be passed on to the client: ${why}`, {
    reason: error instanceof SwitchboardError ? error.code : "CLIENT_FAILED",
  });
}

/**
 * The client capabilities declared to a process of server `config`: what
 * the switchboard can honour for it. A process shared by every client (or
 * the listing process of a session-isolated server) gets sampling and
 * elicitation in their base form (each request is checked against the
 * client it goes to), and roots only when it has its own (config roots; a
 * listing process answers an empty list). A session's process gets what its
 * client declared, within the same policy.
 */
export function clientCapabilitiesFor(config: ServerConfig, client?: JsonObject): JsonObject {
  const policy: ClientFeaturePolicy = {
    sampling: true,
    elicitationForm: true,
    elicitationUrl: true,
    roots: config.isolation === "session" || config.roots !== undefined,
  };
  return capabilitiesForBackend(policy, LATEST_LEGACY_VERSION, client) as JsonObject;
}
