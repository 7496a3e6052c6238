/** Stable codes of errors that stay inside the process (tests assert on these). */
export type LocalErrorCode =
  | "CONNECTION_CLOSED"
  | "REQUEST_TIMEOUT"
  | "REQUEST_CANCELLED"
  | "MESSAGE_TOO_LARGE"
  | "INVALID_MESSAGE"
  | "BACKEND_EXITED"
  | "BACKEND_UNAVAILABLE"
  | "BACKEND_START_FAILED"
  | "HANDSHAKE_FAILED"
  | "UNKNOWN_TOOL"
  | "NAME_COLLISION"
  | "INVALID_NAME"
  | "CONFIG_INVALID"
  | "ALREADY_STARTED"
  | "CLOSED";

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
