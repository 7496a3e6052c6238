import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import { isJsonObject } from "../jsonrpc/message.js";
import type { JsonRpcPeer } from "../jsonrpc/peer.js";
import { Method } from "../mcp/methods.js";
import type { Implementation, InitializeResult, Tool } from "../mcp/types.js";
import { VERSION } from "../version.js";
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

/** Most pages a list may have before we call it a loop. */
export const MAX_LIST_PAGES = 1000;

/**
 * Legacy client handshake: `initialize` offering our latest legacy version,
 * accept the backend's choice if we speak it, then `notifications/initialized`.
 */
export async function initializeLegacy(peer: JsonRpcPeer, label: string, timeoutMs: number): Promise<BackendSession> {
  const raw = await peer.request(
    Method.Initialize,
    { protocolVersion: LATEST_LEGACY_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
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

/** `tools/list` following `nextCursor` to the last page. */
export async function listAllTools(
  peer: JsonRpcPeer,
  label: string,
  timeoutMs: number,
  warn: (message: string) => void,
): Promise<Tool[]> {
  const tools: Tool[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const result = await peer.request(Method.ToolsList, cursor === undefined ? {} : { cursor }, { timeoutMs });
    const pageTools = result["tools"];
    if (!Array.isArray(pageTools)) {
      throw new JsonRpcError(ErrorCode.InternalError, `${label} answered tools/list without a "tools" array`);
    }
    for (const tool of pageTools) {
      if (!isJsonObject(tool) || typeof tool["name"] !== "string" || !isJsonObject(tool["inputSchema"])) {
        warn(`${label} listed a tool without a string "name" and an object "inputSchema"; it was left out: ${JSON.stringify(tool).slice(0, 200)}`);
        continue;
      }
      tools.push(tool as Tool);
    }
    const next = result["nextCursor"];
    if (typeof next !== "string" || next === "") return tools;
    if (seen.has(next)) throw new SwitchboardError("HANDSHAKE_FAILED", `${label} repeated tools/list cursor ${JSON.stringify(next)}; stopping`);
    seen.add(next);
    cursor = next;
  }
  throw new SwitchboardError("HANDSHAKE_FAILED", `${label} returned more than ${MAX_LIST_PAGES} pages of tools`);
}
