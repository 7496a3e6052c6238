import { JsonRpcError } from "../jsonrpc/errors.js";
import { SwitchboardError, hasCode } from "../jsonrpc/local-error.js";
import type { JsonObject } from "../jsonrpc/message.js";
import type { JsonRpcPeer } from "../jsonrpc/peer.js";
import { McpErrorCode } from "../mcp/error-codes.js";
import { MODERN_VERSION } from "../mcp/modern.js";
import { MODERN_ERROR_CODES, ModernMethod, readDiscoverResult, supportedVersionsOf, withModernMeta, type DiscoverInfo } from "../mcp/modern-client.js";
import type { Implementation } from "../mcp/types.js";
import { isLegacyVersion, LEGACY_VERSIONS, type Era } from "../mcp/versions.js";

/** What the era probe found out about a backend. */
export type ProbeOutcome = { era: "modern"; discovered: DiscoverInfo } | { era: "legacy"; why: string };

/** What the probe sends. */
export interface ProbeRequest {
  label: string;
  timeoutMs: number;
  clientInfo: Implementation;
  /** The client capabilities we declare (the probe is a modern request like any other). */
  clientCapabilities: JsonObject;
}

/**
 * The era probe of the stdio binding (and of Streamable HTTP, where a modern
 * request is the probe): `server/discover` with our modern `_meta`. A
 * DiscoverResult naming our modern version, or a recognised modern error
 * (-32020, -32021, -32022), means a modern server; any other error, or no
 * answer within `timeoutMs`, means a legacy one (the fallback is never keyed
 * to one error code: legacy servers answer unknown methods before
 * `initialize` as they please, or not at all). A modern server that does not
 * speak our modern version but lists a legacy one we speak is spoken to in
 * that legacy version; one that lists neither fails with HANDSHAKE_FAILED.
 * The connection ending during the probe rejects as the request does.
 */
export async function probeEra(peer: JsonRpcPeer, request: ProbeRequest): Promise<ProbeOutcome> {
  const { label, timeoutMs } = request;
  const params = withModernMeta({}, { clientInfo: request.clientInfo, clientCapabilities: request.clientCapabilities });
  let result: JsonObject;
  try {
    result = await peer.request(ModernMethod.Discover, params, { timeoutMs });
  } catch (error) {
    if (hasCode(error, "REQUEST_TIMEOUT")) return { era: "legacy", why: `it did not answer server/discover within ${timeoutMs} ms` };
    if (!(error instanceof JsonRpcError)) throw error;
    if (!MODERN_ERROR_CODES.has(error.code)) return { era: "legacy", why: `it answered server/discover with error ${error.code}` };
    return modernRefusal(label, error);
  }
  const discovered = readDiscoverResult(result);
  if (!discovered) return { era: "legacy", why: "its answer to server/discover is not a DiscoverResult" };
  if (discovered.supportedVersions.includes(MODERN_VERSION)) return { era: "modern", discovered };
  return legacyOrFail(label, discovered.supportedVersions);
}

/** A modern error to our probe: the server is modern; only a legacy version it also lists can still serve. */
function modernRefusal(label: string, error: JsonRpcError): ProbeOutcome {
  if (error.code === McpErrorCode.UnsupportedProtocolVersion) return legacyOrFail(label, supportedVersionsOf(error.data));
  throw new SwitchboardError("HANDSHAKE_FAILED", `${label} refused server/discover with error ${error.code} (${error.message}); it is a modern server that the switchboard cannot satisfy`);
}

function legacyOrFail(label: string, supported: readonly string[]): ProbeOutcome {
  const legacy = supported.find((version) => isLegacyVersion(version));
  if (legacy !== undefined) return { era: "legacy", why: `it speaks ${legacy} but not ${MODERN_VERSION}` };
  throw new SwitchboardError(
    "HANDSHAKE_FAILED",
    `${label} speaks protocol versions ${JSON.stringify(supported)}, none of which the switchboard speaks (it speaks ${MODERN_VERSION}, ${LEGACY_VERSIONS.join(", ")}); upgrade the server or the switchboard`,
  );
}

/**
 * True when an `initialize` refusal shows that the server is modern after
 * all (a remembered legacy verdict gone stale): a recognised modern error.
 */
export function isModernRefusal(error: unknown): boolean {
  return error instanceof JsonRpcError && MODERN_ERROR_CODES.has(error.code);
}

/**
 * Era verdicts remembered per server location (a URL): the specification lets
 * a client keep the verdict for an origin and probe again when it later
 * fails. A stdio server is probed at every start (each start is a new
 * process), so it has no entry here.
 */
export class EraVerdicts {
  private readonly verdicts = new Map<string, Era>();

  /** The remembered era of `key`, if any. */
  get(key: string): Era | undefined {
    return this.verdicts.get(key);
  }

  /** Remember `era` for `key`. */
  set(key: string, era: Era): void {
    this.verdicts.set(key, era);
  }

  /** Forget `key` (its verdict failed). */
  forget(key: string): void {
    this.verdicts.delete(key);
  }
}

/** The process-wide verdicts: every connection to one URL shares them (session processes of one server too). */
export const ERA_VERDICTS = new EraVerdicts();
