/**
 * The registry of local error codes: each layer adds its own by augmenting
 * this interface (`declare module "…/jsonrpc/local-error.js" { interface
 * LocalErrorCodes { BACKEND_EXITED: true } }`), so this module holds only the
 * JSON-RPC layer's codes and still type-checks every code used anywhere.
 */
export interface LocalErrorCodes {
  /** The connection closed; every pending request is rejected with this. */
  CONNECTION_CLOSED: true;
  /** An outgoing request got no answer in time. */
  REQUEST_TIMEOUT: true;
  /** An outgoing request was cancelled (by its caller, or because the caller went away). */
  REQUEST_CANCELLED: true;
  /** A message exceeded the size limit. */
  MESSAGE_TOO_LARGE: true;
  /** A message was not valid JSON-RPC (or an answer was malformed). */
  INVALID_MESSAGE: true;
  /** A message could not be serialised (a value JSON cannot carry, too deep, too large). */
  UNSERIALISABLE: true;
  /** The peer is not reading: more than the allowed bytes wait to be written to it. */
  OUTPUT_QUEUE_FULL: true;
}

/** Stable codes of errors that stay inside the process (tests assert on these). */
export type LocalErrorCode = keyof LocalErrorCodes;

/** A local error with a stable string `code`; never sent on the wire as is. */
export class SwitchboardError extends Error {
  readonly code: LocalErrorCode;

  constructor(code: LocalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SwitchboardError";
    this.code = code;
  }
}

/** True when `error` is a SwitchboardError with the given code. */
export function hasCode(error: unknown, code: LocalErrorCode): error is SwitchboardError {
  return error instanceof SwitchboardError && error.code === code;
}
