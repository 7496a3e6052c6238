import { createHash, randomUUID } from "node:crypto";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import type { JsonObject } from "../jsonrpc/message.js";
import type { Logger } from "../log/logger.js";
import { Method } from "../mcp/methods.js";
import { isInputRequired, readRetry, type InputRequest, type InputRequiredResult } from "../mcp/modern.js";
import { DEFAULT_MRTR_CONFIG, DEFAULT_PROXY } from "../config/defaults.js";
import type { MrtrConfig } from "../config/types.js";
import { forward, type Upstream } from "./forward.js";
import { HeldCall } from "./held-call.js";
import type { HeldCallBounds, HeldCallOwner } from "./held-call-owner.js";
import { HeldCallTable } from "./held-calls.js";
import { Roster, type RosterMember } from "../jsonrpc/roster.js";
import type { ClientContext, ClientSink, RequestContext } from "./request-context.js";
import { RequestStateSealer, stateKey } from "./request-state.js";
import type { ServerRequests } from "./server-requests.js";

/** Options of the MRTR bridge (the config's proxy settings); every bound has a default (DEFAULT_MRTR_CONFIG, DEFAULT_PROXY). */
export interface MrtrOptions extends MrtrConfig {
  /** input_required rounds of one call (`proxy.maxInputRounds`, shared with the legacy-client direction). */
  maxInputRounds: number;
}

/** The requests MRTR applies to: a server may answer them input_required. */
export const MRTR_METHODS: ReadonlySet<string> = new Set([Method.ToolsCall, Method.PromptsGet, Method.ResourcesRead]);

/** What a sealed state binds the retry to: the backend, the method, the route and a digest of the params. */
interface Binding {
  srv: string;
  m: string;
  r: string;
  d: string;
}

/**
 * The bridge between modern clients (MRTR) and the backends behind the
 * switchboard, for `tools/call`, `prompts/get` and `resources/read`.
 *
 * Legacy backend: a backend's sampling, elicitation or roots request made
 * while serving a modern client's call is held (HeldCall): the client is
 * answered `input_required` with the request(s) in `inputRequests` and a
 * sealed `requestState` naming the held call; its retry (same method, same
 * route and params, `inputResponses` + that state) answers the backend's
 * requests and waits for the final result or the next round. Modern backend:
 * its InputRequiredResult passes through with its `requestState` wrapped in
 * one of ours that binds it to that backend and route; the retry reaches the
 * backend with its own state. A held call lives in this process only: a
 * retry reaching another replica is refused (-32602), even with a shared key.
 */
export class MrtrBridge {
  private readonly options: MrtrOptions;
  private readonly sealer: RequestStateSealer;
  /** Every call run through the bridge (a Roster: one comes and goes per call; found by its client's id only when a backend asks it something). */
  private readonly live = new Roster<Bridged>();
  /** Calls that asked their client for input, by held id. */
  private readonly held: HeldCallTable<Bridged>;
  private sequence = 0;

  constructor(
    private readonly serverRequests: ServerRequests,
    private readonly logger: Logger,
    options: Partial<MrtrOptions> = {},
    now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_MRTR_CONFIG, maxInputRounds: DEFAULT_PROXY.maxInputRounds, ...withoutUndefined(options) };
    this.sealer = new RequestStateSealer(stateKey(this.options.requestStateKey), now);
    this.held = new HeldCallTable({ maxHeld: this.options.maxHeldCalls, timeoutMs: this.options.heldCallTimeoutMs });
  }

  /** Bounds of each held call. */
  get bounds(): HeldCallBounds {
    return this.options;
  }

  /** Calls held now (waiting for a retry or being resumed). */
  get heldCount(): number {
    return this.held.size;
  }

  /** The sink of a bridged call's own client (ServerRequests reaches held calls through it). */
  sinkOf(clientId: string): ClientSink | undefined {
    return this.live.find((bridged) => bridged.call.client.id === clientId)?.call.sink;
  }

  /**
   * Run a modern client's `method` on `backend` (params as the backend
   * knows them): a new call, or the retry its `requestState` names.
   */
  call(backend: Upstream, method: string, params: JsonObject, context: RequestContext, mapResult?: (result: JsonObject) => JsonObject): Promise<JsonObject> {
    const { inputResponses, requestState } = readRetry(context.params);
    if (requestState === undefined) {
      const sent = inputResponses === undefined ? params : { ...params, inputResponses };
      return this.start(backend, method, sent, params, undefined, context, mapResult);
    }
    const binding = bindingOf(backend.name, method, params);
    let state: JsonObject;
    try {
      state = this.sealer.open(requestState);
      checkBinding(state, binding);
    } catch (error) {
      return Promise.reject(error);
    }
    if (state["k"] === "wrap") {
      const sent: JsonObject = { ...params, requestState: String(state["s"]) };
      if (inputResponses !== undefined) sent["inputResponses"] = inputResponses;
      return this.start(backend, method, sent, params, binding, context, mapResult);
    }
    // The held call's own backend call maps its result (the same mapping: same backend, same route).
    return this.resume(String(state["id"]), state["n"], inputResponses, context);
  }

  /** Abandon every call (shutdown): their backend requests get an error, their backend calls are cancelled. */
  close(): void {
    this.held.abandonAll("the switchboard is shutting down");
    for (const bridged of this.live.snapshot()) bridged.call.abandon("the switchboard is shutting down");
  }

  /** A new backend call of `sent`; its retries are bound to `binding`, made from `params` when first needed unless given. */
  private start(
    backend: Upstream,
    method: string,
    sent: JsonObject,
    params: JsonObject,
    binding: Binding | undefined,
    context: RequestContext,
    mapResult: ((result: JsonObject) => JsonObject) | undefined,
  ): Promise<JsonObject> {
    const client = { ...context.client, id: `mrtr:${++this.sequence}` };
    const bridged = new Bridged(this, client, backend, method, params, binding, context);
    const call = bridged.call;
    this.live.add(bridged);
    this.serverRequests.enterSole(backend, call.context);
    call.run(forward(backend, method, sent, call.context, mapResult));
    return call.next(context);
  }

  /** A bridged call's backend call has answered: it is no longer in flight there. */
  settled(bridged: Bridged): void {
    this.serverRequests.leaveSole(bridged.backend, bridged.call.context);
  }

  /** A bridged call has ended: it is no longer reachable or held. */
  ended(bridged: Bridged): void {
    this.live.delete(bridged);
    if (bridged.heldId !== undefined) this.held.delete(bridged.heldId);
  }

  private resume(id: string, round: unknown, inputResponses: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
    const bridged = this.held.get(id);
    const call = bridged?.call;
    if (!bridged || !call || call.isEnded) {
      return Promise.reject(
        new JsonRpcError(
          ErrorCode.InvalidParams,
          "Invalid params: requestState names a call this switchboard no longer holds (it completed, expired, was abandoned, or is held by another replica); send the original request again without requestState and inputResponses",
          { reason: "UNKNOWN_HELD_CALL" },
        ),
      );
    }
    if (round !== bridged.rounds) {
      // Each round's state is good once: an earlier one (replayed, or answered already) names answers that are gone.
      return Promise.reject(
        new JsonRpcError(
          ErrorCode.InvalidParams,
          "Invalid params: requestState belongs to an earlier round of this call; retry with the requestState of the latest input_required answer",
          { reason: "STALE_REQUEST_STATE" },
        ),
      );
    }
    if (call.isWaited || !this.held.isParked(id)) {
      return Promise.reject(new JsonRpcError(ErrorCode.InvalidParams, "Invalid params: another request is already resuming the call this requestState names", { reason: "HELD_CALL_BUSY" }));
    }
    this.held.resume(id);
    call.answer(inputResponses);
    return call.next(context);
  }

  /** What the client request waiting on a bridged call is answered when the backend call answered `result`. */
  resultOf(bridged: Bridged, result: JsonObject): JsonObject {
    return isInputRequired(result) ? this.passThrough(result, bridged.binding) : result;
  }

  /** What it is answered when the backend asks for input: an InputRequiredResult that parks the call. */
  inputOf(bridged: Bridged, inputRequests: Record<string, InputRequest>): JsonObject {
    const call = bridged.call;
    if (++bridged.rounds > this.options.maxInputRounds) {
      const why = `its backend asked for input in more than ${this.options.maxInputRounds} rounds (proxy.maxInputRounds)`;
      call.abandon(why);
      throw new JsonRpcError(ErrorCode.ServerError, `${call.label} was abandoned: ${why}`, { reason: "TOO_MANY_ROUNDS" });
    }
    const heldId = (bridged.heldId ??= randomUUID());
    if (!this.held.add(heldId, bridged)) {
      const why = `${this.options.maxHeldCalls} calls are held already, each with a client waiting on it (proxy.maxHeldCalls)`;
      call.abandon(why);
      throw new JsonRpcError(ErrorCode.ServerError, `${call.label} could not ask its client for input: ${why}; try again later`, { reason: "HELD_CALL_LIMIT" });
    }
    this.held.park(heldId);
    this.logger.debug(`${call.label}: round ${bridged.rounds} asks ${Object.values(inputRequests).map((r) => r.method).join(", ")}`);
    const answer: InputRequiredResult = {
      resultType: "input_required",
      inputRequests,
      requestState: this.sealer.seal({ k: "held", id: heldId, n: bridged.rounds, ...bridged.binding }, this.options.heldCallTimeoutMs),
    };
    return answer;
  }

  /** A final result as it is; a modern backend's InputRequiredResult with its requestState wrapped in ours. */
  private passThrough(result: JsonObject, binding: Binding): JsonObject {
    if (!isInputRequired(result) || typeof result["requestState"] !== "string") return result;
    return { ...result, requestState: this.sealer.seal({ k: "wrap", s: result["requestState"], ...binding }, this.options.heldCallTimeoutMs) };
  }
}

/**
 * The bridge's bookkeeping of one call (the owner of its HeldCall), made
 * light: the binding (a digest of the params) and the held id are made only
 * once the call needs them, so a call that never asks for input costs
 * neither, nor any closure.
 */
class Bridged implements HeldCallOwner, RosterMember {
  readonly call: HeldCall;
  rosterIndex = -1;
  heldId: string | undefined = undefined;
  rounds = 0;

  constructor(
    private readonly bridge: MrtrBridge,
    client: ClientContext,
    /** The backend the call is forwarded to (what it is tracked on). */
    readonly backend: Upstream,
    private readonly method: string,
    /** The params (as the backend knows them) the binding is made from on first use, unless it is given. */
    private readonly params: JsonObject,
    private bindingValue: Binding | undefined,
    origin: RequestContext,
  ) {
    this.call = new HeldCall(client, backend.name, method, origin, bridge.bounds, this);
  }

  get binding(): Binding {
    this.bindingValue ??= bindingOf(this.backend.name, this.method, this.params);
    return this.bindingValue;
  }

  answerResult(result: JsonObject): JsonObject {
    return this.bridge.resultOf(this, result);
  }

  answerInput(inputRequests: Record<string, InputRequest>): JsonObject {
    return this.bridge.inputOf(this, inputRequests);
  }

  settled(): void {
    this.bridge.settled(this);
  }

  ended(): void {
    this.bridge.ended(this);
  }

  /** The table ends the call this way (expiry, eviction, shutdown). */
  abandon(why: string): void {
    this.call.abandon(why);
  }
}

/** What a state minted for `method` on `server` with `params` binds its retry to. */
function bindingOf(server: string, method: string, params: JsonObject): Binding {
  return { srv: server, m: method, r: routeOf(params), d: digest(params) };
}

/** The route a call names: its tool or prompt name, or its resource URI (as the backend knows it). */
function routeOf(params: JsonObject): string {
  const name = params["name"] ?? params["uri"];
  return typeof name === "string" ? name : "";
}

/** A digest of the params that make the request what it is (its `_meta` and MRTR fields left out). */
function digest(params: JsonObject): string {
  const { _meta: _m, inputResponses: _i, requestState: _s, ...salient } = params;
  return createHash("sha256").update(canonical(salient)).digest("base64url").slice(0, 22);
}

/** JSON with object keys sorted, so that key order does not change the digest. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as JsonObject).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** -32602 unless the state was minted for this backend, method, route and params. */
function checkBinding(state: JsonObject, binding: Binding): void {
  const kind = state["k"];
  if ((kind !== "held" && kind !== "wrap") || (kind === "held" && typeof state["id"] !== "string") || (kind === "wrap" && typeof state["s"] !== "string")) {
    throw new JsonRpcError(ErrorCode.InvalidParams, "Invalid params: requestState is malformed; send the original request again without requestState and inputResponses", {
      reason: "INVALID_REQUEST_STATE",
    });
  }
  if (state["srv"] !== binding.srv || state["m"] !== binding.m || state["r"] !== binding.r || state["d"] !== binding.d) {
    throw new JsonRpcError(
      ErrorCode.InvalidParams,
      `Invalid params: requestState was issued for another request (a retry must repeat the original method, ${binding.m === Method.ResourcesRead ? "resource" : "name"} and arguments, on the same server); send the original request again without requestState and inputResponses`,
      { reason: "REQUEST_STATE_MISMATCH" },
    );
  }
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
