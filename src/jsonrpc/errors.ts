import type { JsonRpcErrorObject, JsonRpcFailure, JsonRpcId } from "./message.js";

/** Standard JSON-RPC 2.0 and MCP error codes. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Implementation-defined server error: used when a backend is unavailable. */
  ServerError: -32000,
  /** Legacy MCP: resource not found. */
  ResourceNotFound: -32002,
  /** Request timed out (also used by the TypeScript SDK). */
  RequestTimeout: -32001,
  /** Modern MCP: a header disagrees with the body. */
  HeaderMismatch: -32020,
  /** Modern MCP: a capability the request needs was not declared. */
  MissingRequiredClientCapability: -32021,
  /** Modern MCP: the protocol version is not supported (`data.supported`). */
  UnsupportedProtocolVersion: -32022,
} as const;

/**
 * An error that goes on the wire as a JSON-RPC error object.
 * Handlers throw it to answer a request with a specific code.
 */
export class JsonRpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "JsonRpcError";
    this.code = code;
    this.data = data;
  }

  /** The error object as sent on the wire. */
  toJSON(): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }

  /** A whole error response for `id`. */
  toResponse(id: JsonRpcId | null): JsonRpcFailure {
    return { jsonrpc: "2.0", id, error: this.toJSON() };
  }

  /** Rebuild from a wire error object (a peer's error response). */
  static fromObject(error: JsonRpcErrorObject): JsonRpcError {
    return new JsonRpcError(error.code, error.message, error.data);
  }
}
