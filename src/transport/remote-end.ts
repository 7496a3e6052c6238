import type { JsonRpcId, JsonRpcMessage } from "../jsonrpc/message.js";
import { isRequest } from "../jsonrpc/message.js";

/** How a remote connection ended, in words completing `backend "x" …`. */
export interface RemoteEnd {
  description: string;
  error?: Error;
  /** Retrying cannot help until the config changes (the server refused our credentials). */
  permanent?: boolean;
}

/** The session state of a remote connection, for stats and health. */
export type RemoteSessionState = "none" | "connecting" | "active" | "reinitializing" | "closed";

/** What stats and health show of a remote connection (never a credential). */
export interface RemoteStatus {
  transport: "http" | "sse";
  /** The URL without user info or query values. */
  url: string;
  session: RemoteSessionState;
  /** A server-to-client stream is open (the GET stream; for SSE, the connection itself). */
  stream: boolean;
  /** The last HTTP-level trouble, or null. */
  lastError: string | null;
}

/** What a remote transport needs beside its endpoint. */
export interface RemoteTransportOptions {
  /** `backend "x"`, for messages. */
  label: string;
  /** The server's name, for error data. */
  server: string;
  maxMessageBytes: number;
  /** Called once when the connection is over for good (closed, or failed). */
  onEnd: (end: RemoteEnd) => void;
  /** Non-fatal trouble worth a log line. */
  onWarning: (message: string) => void;
}

/**
 * The error response that fails one of our requests at once, in the
 * server's name (HTTP trouble that the server did not phrase as JSON-RPC).
 */
export function failureFor(message: JsonRpcMessage, options: RemoteTransportOptions, what: string, data: Record<string, unknown>): JsonRpcMessage | undefined {
  if (!isRequest(message)) return undefined;
  return failureResponse(message.id, `${options.label} ${what}`, { server: options.server, ...data });
}

/** A JSON-RPC error response to `id` (code -32000, server trouble). */
export function failureResponse(id: JsonRpcId, text: string, data: Record<string, unknown>): JsonRpcMessage {
  return { jsonrpc: "2.0", id, error: { code: -32000, message: text, data } };
}
