import { SwitchboardError } from "../jsonrpc/local-error.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { JsonRpcPeer } from "../jsonrpc/peer.js";
import { Method } from "../mcp/methods.js";
import type { Implementation, InitializeResult } from "../mcp/types.js";
import { VERSION } from "../version.js";
import type { CatalogKind } from "../mcp/catalog-kinds.js";
import { declaredKinds, listAll, type ListSender, type Listed } from "./catalog-listing.js";
import { isLegacyVersion, LATEST_LEGACY_VERSION, type Era } from "../mcp/versions.js";
import { MODERN_VERSION } from "../mcp/modern.js";
import { withModernMeta, type DiscoverInfo } from "../mcp/modern-client.js";
import { ERA_VERDICTS, isModernRefusal, probeEra, type EraVerdicts } from "./era-probe.js";

/** How a server's era is chosen: probed (`auto`), or fixed by its config. */
export type EraSetting = "auto" | Era;

/** Who we say we are to backends. */
export const CLIENT_INFO: Implementation = { name: "mcp-switchboard", version: VERSION };

/** What the handshake learned about a backend. */
export interface BackendSession {
  era: Era;
  protocolVersion: string;
  serverInfo: Implementation;
  capabilities: Record<string, unknown>;
  instructions?: string;
}

/**
 * Legacy client handshake: `initialize` offering our latest legacy version,
 * accept the backend's choice if we speak it, then `notifications/initialized`.
 * `capabilities` are the client capabilities we declare (none unless we
 * can honour server-to-client requests for this backend).
 */
export async function initializeLegacy(peer: JsonRpcPeer, label: string, timeoutMs: number, capabilities: JsonObject = {}): Promise<BackendSession> {
  const raw = await peer.request(
    Method.Initialize,
    { protocolVersion: LATEST_LEGACY_VERSION, capabilities, clientInfo: CLIENT_INFO },
    { timeoutMs },
  );
  const result = raw as Partial<InitializeResult>;
  if (!isLegacyVersion(result.protocolVersion)) {
    throw new SwitchboardError(
      "HANDSHAKE_FAILED",
      `${label} answered initialize with protocol version ${JSON.stringify(result.protocolVersion)}, which the switchboard does not speak (it speaks 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05)`,
    );
  }
  const serverInfo: Implementation = isJsonObject(result.serverInfo)
    ? { ...result.serverInfo, name: String(result.serverInfo.name ?? "unknown"), version: String(result.serverInfo.version ?? "unknown") }
    : { name: "unknown", version: "unknown" };
  await peer.notify(Method.Initialized);
  const session: BackendSession = {
    era: "legacy",
    protocolVersion: result.protocolVersion,
    serverInfo,
    capabilities: isJsonObject(result.capabilities) ? result.capabilities : {},
  };
  if (typeof result.instructions === "string") session.instructions = result.instructions;
  return session;
}

/** How a connection's session is opened. */
export interface SessionRequest {
  label: string;
  /** Time allowed for each request of the handshake and the first listing. */
  timeoutMs: number;
  /** The client capabilities we declare (legacy: at initialize; modern: on requests that serve no particular client). */
  capabilities: JsonObject;
  warn: (message: string) => void;
  /** `auto` probes with server/discover; `legacy` or `modern` skips the probe. */
  era: EraSetting;
  /** Longest wait for the probe's answer before the server is taken for legacy. */
  probeTimeoutMs: number;
  /** Where the verdict is remembered (a remote server's URL); none: probe every time (a stdio process). */
  verdictKey?: string | undefined;
  verdicts?: EraVerdicts;
}

/** A connection's session and the first whole list of each kind it declared. */
export interface OpenedSession {
  session: BackendSession;
  lists: Map<CatalogKind, Listed>;
  /** Probe start to verdict, ms (0 without a probe): what era detection added to the start. */
  probeMs: number;
}

/**
 * A connection's session: the era (probed unless configured or remembered),
 * the handshake of that era (`server/discover`'s answer, or `initialize`),
 * then the whole list of every catalog kind the backend declared (the
 * others are not asked for); a modern backend's lists are asked for with the
 * modern `_meta`.
 */
export async function openSession(peer: JsonRpcPeer, request: SessionRequest): Promise<OpenedSession> {
  const { label, timeoutMs, capabilities, warn } = request;
  const verdicts = request.verdicts ?? ERA_VERDICTS;
  const key = request.verdictKey;
  const started = performance.now();
  let era: Era | undefined = request.era === "auto" ? (key === undefined ? undefined : verdicts.get(key)) : request.era;
  let discovered: DiscoverInfo | undefined;
  let probeMs = 0;
  const probe = async (): Promise<void> => {
    const outcome = await probeEra(peer, { label, timeoutMs: Math.min(request.probeTimeoutMs, timeoutMs), clientInfo: CLIENT_INFO, clientCapabilities: capabilities });
    probeMs = Math.round(performance.now() - started);
    era = outcome.era;
    if (outcome.era === "modern") discovered = outcome.discovered;
  };
  if (era !== "legacy") await probe();
  if (request.era === "modern" && !discovered) throw new SwitchboardError("HANDSHAKE_FAILED", `${label} is configured as a modern server (era "modern") but did not answer server/discover as one`);
  let session: BackendSession;
  if (discovered) session = modernSession(discovered);
  else {
    try {
      session = await initializeLegacy(peer, label, timeoutMs, capabilities);
    } catch (error) {
      // A remembered legacy verdict gone stale: the server is modern now.
      if (!(request.era === "auto" && probeMs === 0 && isModernRefusal(error))) throw error;
      await probe();
      if (!discovered) throw error;
      session = modernSession(discovered);
    }
  }
  if (key !== undefined) verdicts.set(key, session.era);
  const send: ListSender =
    session.era === "modern"
      ? (method, params, options) => peer.request(method, withModernMeta(params, { clientInfo: CLIENT_INFO, clientCapabilities: capabilities }), options)
      : (method, params, options) => peer.request(method, params, options);
  const lists = new Map<CatalogKind, Listed>();
  for (const kind of declaredKinds(session.capabilities)) lists.set(kind, await listAll(send, kind, label, timeoutMs, warn));
  return { session, lists, probeMs };
}

function modernSession(discovered: DiscoverInfo): BackendSession {
  const session: BackendSession = { era: "modern", protocolVersion: MODERN_VERSION, serverInfo: discovered.serverInfo, capabilities: discovered.capabilities };
  if (discovered.instructions !== undefined) session.instructions = discovered.instructions;
  return session;
}
