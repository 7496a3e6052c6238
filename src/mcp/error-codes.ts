/** Error codes MCP defines beside JSON-RPC's own (jsonrpc/errors.ts). */
export const McpErrorCode = {
  /** A request timed out (the TypeScript SDK's code; the switchboard uses it for backend timeouts). */
  RequestTimeout: -32001,
  /** Legacy era: resource not found. */
  ResourceNotFound: -32002,
  /** Modern era: a header disagrees with the body. */
  HeaderMismatch: -32020,
  /** Modern era: a capability the request needs was not declared. */
  MissingRequiredClientCapability: -32021,
  /** Modern era: the protocol version is not supported (`data.supported`). */
  UnsupportedProtocolVersion: -32022,
} as const;
