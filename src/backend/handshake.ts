import { SwitchboardError } from "../jsonrpc/local-error.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { JsonRpcPeer } from "../jsonrpc/peer.js";
import { Method } from "../mcp/methods.js";
import type { Implementation, InitializeResult } from "../mcp/types.js";
import { VERSION } from "../version.js";
import type { CatalogKind } from "../mcp/catalog-kinds.js";
import { declaredKinds, listAll } from "./catalog-listing.js";
import { isLegacyVersion, LATEST_LEGACY_VERSION, type Era } from "../mcp/versions.js";

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

/**
 * A connection's session: the handshake, then the whole list of every
 * catalog kind the backend declared (the others are not asked for).
 */
export async function openSession(
  peer: JsonRpcPeer,
  label: string,
  timeoutMs: number,
  capabilities: JsonObject,
  warn: (message: string) => void,
): Promise<{ session: BackendSession; lists: Map<CatalogKind, readonly JsonObject[]> }> {
  const session = await initializeLegacy(peer, label, timeoutMs, capabilities);
  const lists = new Map<CatalogKind, readonly JsonObject[]>();
  for (const kind of declaredKinds(session.capabilities)) lists.set(kind, await listAll(peer, kind, label, timeoutMs, warn));
  return { session, lists };
}
