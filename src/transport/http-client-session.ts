import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { isJsonObject, type JsonRpcRequest, type JsonRpcResponse } from "../jsonrpc/message.js";
import { sendRequest, type RemoteEndpoint } from "./http-client.js";
import type { RemoteSessionState } from "./remote-end.js";

/** How long ending a session on the server may take before we give up (ms). */
const DELETE_TIMEOUT_MS = 2000;

/**
 * A legacy Streamable HTTP session as the client keeps it: the
 * `Mcp-Session-Id` the server minted, the version negotiated at initialize
 * (sent as `MCP-Protocol-Version` from then on), our initialize (remembered
 * for a transparent re-initialize), and where the session stands.
 */
export class LegacySession {
  id: string | undefined;
  version: string | undefined;
  initialize: JsonRpcRequest | undefined;
  /** `notifications/initialized` was accepted. */
  initialized = false;
  state: RemoteSessionState = "none";

  /** Our initialize goes out: a new session begins. */
  begin(initialize: JsonRpcRequest): void {
    this.initialize = initialize;
    this.id = undefined;
    this.state = "connecting";
  }

  /** The session id of an answer: taken when we have none, or from the answer to an initialize. */
  adopt(response: IncomingMessage, answersInitialize: boolean): void {
    const session = response.headers["mcp-session-id"];
    if (typeof session === "string" && session !== "" && (this.id === undefined || answersInitialize)) this.id = session;
  }

  /** The answer to our initialize names the negotiated version. */
  learn(message: JsonRpcResponse): void {
    if (!this.initialize || message.id !== this.initialize.id || !("result" in message) || !isJsonObject(message.result)) return;
    const version = message.result["protocolVersion"];
    if (typeof version === "string") this.version = version;
  }

  /** `extra` plus the session's headers. */
  headers(extra: OutgoingHttpHeaders): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = { ...extra };
    if (this.id !== undefined) headers["mcp-session-id"] = this.id;
    if (this.version !== undefined) headers["mcp-protocol-version"] = this.version;
    return headers;
  }

  /** What ending the session on the server needs (its headers), or undefined when there is none. */
  end(): OutgoingHttpHeaders | undefined {
    return this.id === undefined ? undefined : this.headers({});
  }
}

/** End a session on the server with DELETE (best effort, briefly). */
export async function deleteSession(endpoint: RemoteEndpoint, headers: OutgoingHttpHeaders): Promise<void> {
  const exchange = sendRequest(endpoint, "DELETE", endpoint.url, headers);
  const timer = setTimeout(() => exchange.request.destroy(), DELETE_TIMEOUT_MS);
  try {
    (await exchange.response).resume();
  } catch {
    // The server may be gone already; the session dies with it.
  } finally {
    clearTimeout(timer);
  }
}
