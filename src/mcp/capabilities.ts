import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { Method } from "./methods.js";
import { versionAtLeast } from "./versions.js";
import { declaresTasksExtension, TASKS_EXTENSION } from "./tasks.js";

/**
 * Capabilities on both sides of the switchboard, in the 2025-11-25 shapes:
 * what we advertise to clients (from what the backends declared) and what we
 * declare to a backend (from what we can carry and, when known, what the
 * client declared). Inputs are the peers' JSON, so they are read defensively:
 * anything not shaped as the schema says counts as absent.
 */

/** What a server declares (schema `ServerCapabilities`). */
export interface ServerCapabilities {
  tools?: { listChanged?: boolean };
  prompts?: { listChanged?: boolean };
  resources?: { listChanged?: boolean; subscribe?: boolean };
  completions?: JsonObject;
  logging?: JsonObject;
  tasks?: ServerTasksCapability;
  experimental?: Record<string, JsonObject>;
  [key: string]: unknown;
}

/** The server side of task-augmented requests. */
export interface ServerTasksCapability {
  list?: JsonObject;
  cancel?: JsonObject;
  requests?: { tools?: { call?: JsonObject } };
}

/** What a client declares (schema `ClientCapabilities`). */
export interface ClientCapabilities {
  roots?: { listChanged?: boolean };
  sampling?: { context?: JsonObject; tools?: JsonObject };
  elicitation?: { form?: JsonObject; url?: JsonObject };
  tasks?: JsonObject;
  experimental?: Record<string, JsonObject>;
  [key: string]: unknown;
}

/** Which features of the switchboard itself shape what it advertises. */
export interface AdvertiseOptions {
  /** Advertise `logging` even when no backend declares it (the switchboard logs itself). Default false. */
  logging?: boolean;
  /** Carry tasks (task ids routed back to their backend); without it `tasks` is never advertised. Default false. */
  tasks?: boolean;
}

function member(object: unknown, key: string): JsonObject | undefined {
  if (!isJsonObject(object)) return undefined;
  const value = object[key];
  return isJsonObject(value) ? value : undefined;
}

/**
 * The capabilities the switchboard advertises to its clients, from the
 * backends' declared capabilities (as received; malformed ones count as
 * empty). A kind is advertised when any backend declares it; `tools` always
 * (local tools, and backends come and go). `listChanged` is true for every
 * list kind, whatever the backends say: the switchboard itself reports a
 * change whenever a backend's catalog enters or leaves the aggregate.
 * `resources.subscribe` when any backend supports it. `experimental` is
 * never carried: its methods are unknown, so they could not be routed.
 */
export function advertisedCapabilities(backends: Iterable<unknown>, options: AdvertiseOptions = {}): ServerCapabilities {
  let prompts = false;
  let resources = false;
  let subscribe = false;
  let completions = false;
  let logging = options.logging === true;
  let taskList = false;
  let taskCancel = false;
  let taskToolsCall = false;
  for (const declared of backends) {
    if (member(declared, "prompts")) prompts = true;
    const res = member(declared, "resources");
    if (res) {
      resources = true;
      if (res["subscribe"] === true) subscribe = true;
    }
    if (member(declared, "completions")) completions = true;
    if (member(declared, "logging")) logging = true;
    const tasks = member(declared, "tasks");
    if (tasks) {
      if (member(tasks, "list")) taskList = true;
      if (member(tasks, "cancel")) taskCancel = true;
      if (member(member(member(tasks, "requests"), "tools"), "call")) taskToolsCall = true;
    }
  }
  const advertised: ServerCapabilities = { tools: { listChanged: true } };
  if (prompts) advertised.prompts = { listChanged: true };
  if (resources) advertised.resources = subscribe ? { listChanged: true, subscribe: true } : { listChanged: true };
  if (completions) advertised.completions = {};
  if (logging) advertised.logging = {};
  if (options.tasks === true && (taskList || taskCancel || taskToolsCall)) {
    const tasks: ServerTasksCapability = {};
    if (taskList) tasks.list = {};
    if (taskCancel) tasks.cancel = {};
    if (taskToolsCall) tasks.requests = { tools: { call: {} } };
    advertised.tasks = tasks;
  }
  return advertised;
}

/** Which client features the switchboard may carry to backends (server → client requests). */
export interface ClientFeaturePolicy {
  /** Route `sampling/createMessage` to the client that caused it. */
  sampling: boolean;
  /** Route form-mode `elicitation/create`. */
  elicitationForm: boolean;
  /** Route URL-mode `elicitation/create` (2025-11-25 and later). */
  elicitationUrl: boolean;
  /** Answer `roots/list` from the client; only when allowed, since roots reveal the client's files. */
  roots: boolean;
}

/** Elicitation modes a client's capabilities allow; an empty `elicitation` means form (backwards compatibility). */
export function elicitationModes(client: unknown): { form: boolean; url: boolean } {
  const elicitation = member(client, "elicitation");
  if (!elicitation) return { form: false, url: false };
  const form = member(elicitation, "form") !== undefined;
  const url = member(elicitation, "url") !== undefined;
  return { form: form || !url, url };
}

/**
 * The client capabilities the switchboard declares to a backend speaking
 * `protocolVersion`.
 *
 * Without `client` (a backend shared by many clients, initialized before any
 * of them): every feature the policy allows, in its base form (sampling
 * without `context`/`tools`, roots without `listChanged`), since a request
 * may come from any client; each server request is then checked against the
 * client it is routed to (`missingClientCapability`).
 * With `client` (a request of one known client, e.g. modern per-request
 * capabilities): the intersection of the policy and what that client
 * declared, sub-capabilities included.
 * Shapes follow the version: before 2025-11-25 elicitation is `{}` (form
 * only; a strict older server may refuse unknown members) and sampling has no
 * sub-capabilities. Tasks and experimental capabilities are never declared.
 */
export function capabilitiesForBackend(policy: ClientFeaturePolicy, protocolVersion: string, client?: unknown): ClientCapabilities {
  const known = client !== undefined;
  const modern = versionAtLeast(protocolVersion, "2025-11-25");
  const declared: ClientCapabilities = {};

  const sampling = member(client, "sampling");
  if (policy.sampling && (!known || sampling)) {
    const out: { context?: JsonObject; tools?: JsonObject } = {};
    if (modern && sampling) {
      if (member(sampling, "context")) out.context = {};
      if (member(sampling, "tools")) out.tools = {};
    }
    declared.sampling = out;
  }

  const modes = known ? elicitationModes(client) : { form: true, url: true };
  const form = policy.elicitationForm && modes.form;
  const url = modern && policy.elicitationUrl && modes.url;
  if (form || url) {
    const out: { form?: JsonObject; url?: JsonObject } = {};
    if (modern && form) out.form = {};
    if (url) out.url = {};
    declared.elicitation = out;
  }

  const roots = member(client, "roots");
  if (policy.roots && (!known || roots)) {
    declared.roots = roots?.["listChanged"] === true ? { listChanged: true } : {};
  }
  // The tasks extension (2026-07-28) is the client's to declare: a modern backend may answer with tasks only if it did.
  if (versionAtLeast(protocolVersion, "2026-07-28") && declaresTasksExtension(client)) declared.extensions = { [TASKS_EXTENSION]: {} };
  return declared;
}

/**
 * What `client` lacks to receive a server request `method` with `params`, or
 * undefined when it can (or the method needs no client capability). Covers
 * `sampling/createMessage` (with `tools` / `includeContext`),
 * `elicitation/create` (form or url mode) and `roots/list`.
 */
export function missingClientCapability(client: unknown, method: string, params: unknown): string | undefined {
  switch (method) {
    case "sampling/createMessage": {
      const sampling = member(client, "sampling");
      if (!sampling) return 'the client did not declare the "sampling" capability';
      const p = isJsonObject(params) ? params : {};
      if ((p["tools"] !== undefined || p["toolChoice"] !== undefined) && !member(sampling, "tools")) {
        return 'the client did not declare "sampling.tools" (tool use in sampling)';
      }
      const context = p["includeContext"];
      if (context !== undefined && context !== "none" && !member(sampling, "context")) {
        return `the client did not declare "sampling.context" (includeContext "${String(context)}")`;
      }
      return undefined;
    }
    case "elicitation/create": {
      const mode = isJsonObject(params) && params["mode"] === "url" ? "url" : "form";
      const modes = elicitationModes(client);
      if (!member(client, "elicitation")) return 'the client did not declare the "elicitation" capability';
      if (!modes[mode]) return `the client did not declare "elicitation.${mode}" (${mode}-mode elicitation)`;
      return undefined;
    }
    case "roots/list":
      return member(client, "roots") ? undefined : 'the client did not declare the "roots" capability';
    default:
      return undefined;
  }
}

/**
 * The client capabilities a backend's request to a client (`method`,
 * `params`) needs that `declared` lacks, as a ClientCapabilities object
 * (`data.requiredCapabilities` of -32021).
 */
export function capabilitiesNeededFor(method: string, params: JsonObject | undefined, declared: JsonObject): JsonObject {
  if (method === Method.ElicitationCreate) {
    const mode = params?.["mode"] === "url" ? "url" : "form";
    return { elicitation: isJsonObject(declared["elicitation"]) || mode === "url" ? { [mode]: {} } : {} };
  }
  if (method === Method.SamplingCreateMessage) {
    const sampling = declared["sampling"];
    if (!isJsonObject(sampling)) return { sampling: {} };
    if (params?.["tools"] !== undefined || params?.["toolChoice"] !== undefined) return { sampling: { tools: {} } };
    return { sampling: { context: {} } };
  }
  return { [method === Method.RootsList ? "roots" : method]: {} };
}
