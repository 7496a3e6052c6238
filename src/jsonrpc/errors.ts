import type { JsonRpcErrorObject, JsonRpcFailure, JsonRpcId } from "./message.js";

/** The error codes JSON-RPC 2.0 itself defines (protocol-specific codes live with their protocol). */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** The first of the implementation-defined server errors (-32000 to -32099). */
  ServerError: -32000,
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
